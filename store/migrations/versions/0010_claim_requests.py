"""claim requests: a claim that came in while another was being seated on the same task is kept before the
ack and seated after it, in arrival order

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("seat", sa.String(length=40), nullable=True),
        sa.Column("tell_channel", sa.String(length=32), nullable=True),
        sa.Column("tell_thread", sa.String(length=32), nullable=True),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("claim_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_requests_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_requests_task_id"))
    op.drop_table("claim_requests")

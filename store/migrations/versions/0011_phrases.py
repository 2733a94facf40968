"""phrases: the phrases of posts tracked by hand (for suggestions), and the phrases an admin added to a kind
in their workspace (or dismissed)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracked_phrases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("phrase", sa.String(length=200), nullable=False),
        sa.Column("words", sa.String(length=200), nullable=False),
        sa.Column("seen_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "phrase", name="uq_tracked_phrases_task_phrase"),
    )
    with op.batch_alter_table("tracked_phrases", schema=None) as batch_op:
        batch_op.create_index("ix_tracked_phrases_team_kind_seen", ["team_id", "kind", "seen_at"], unique=False)
    op.create_table(
        "kind_phrases",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("phrase", sa.String(length=200), nullable=False),
        sa.Column("words", sa.String(length=200), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=False),
        sa.Column("decided_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "kind", "phrase"),
    )


def downgrade() -> None:
    op.drop_table("kind_phrases")
    with op.batch_alter_table("tracked_phrases", schema=None) as batch_op:
        batch_op.drop_index("ix_tracked_phrases_team_kind_seen")
    op.drop_table("tracked_phrases")

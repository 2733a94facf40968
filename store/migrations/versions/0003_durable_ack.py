"""durable ack path: every Slack call in the outbox, renewable leases, catch-up cursor, indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEHIND = sa.text("thread_version < version")


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.alter_column("message_ts", existing_type=sa.String(length=32), nullable=True)
        batch_op.add_column(sa.Column("thread_lease_owner", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("thread_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("thread_error", sa.String(length=200), nullable=True))
        batch_op.create_index(
            "ix_tasks_channel_status", ["team_id", "channel_id", "status", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_tasks_thread_behind", ["id"], unique=False, sqlite_where=BEHIND, postgresql_where=BEHIND
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("method", sa.String(length=40), nullable=False, server_default="chat.postMessage")
        )
        batch_op.add_column(sa.Column("args", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("response_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=40), nullable=True))

    with op.batch_alter_table("watched_channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caught_up_to", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("watched_channels", schema=None) as batch_op:
        batch_op.drop_column("caught_up_to")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("response_url")
        batch_op.drop_column("args")
        batch_op.drop_column("method")

    # Tasks still waiting for their announcement have no post to live under: they cannot stay.
    op.execute("DELETE FROM tasks WHERE message_ts IS NULL")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_thread_behind")
        batch_op.drop_index("ix_tasks_channel_status")
        batch_op.drop_column("thread_error")
        batch_op.drop_column("thread_attempts")
        batch_op.drop_column("thread_lease_owner")
        batch_op.alter_column("message_ts", existing_type=sa.String(length=32), nullable=False)

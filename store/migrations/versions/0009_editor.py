"""editor: the thread reply goes through the outbox like every other message; each channel's standing list

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEHIND = "message_ts IS NOT NULL AND thread_version < version"


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_queued", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_index("ix_tasks_thread_behind")
        batch_op.drop_column("thread_error")
        batch_op.drop_column("thread_attempts")
        batch_op.drop_column("thread_lease_owner")
        batch_op.drop_column("thread_lease_until")
    # Thread replies that were behind when Dibs stopped: each gets the outbox row that brings it up to date.
    now = datetime.now(UTC)
    op.execute(
        sa.text(
            "INSERT INTO outbox (team_id, channel_id, task_id, purpose, method, args, text, dedupe_key, state,"
            " created_at, send_after, attempts)"
            " SELECT team_id, channel_id, id, 'thread', 'chat.postMessage', '{\"task\": ' || id || '}', '',"
            f" 'thread:' || id || ':' || version, 'pending', :now, :now, 0 FROM tasks WHERE {BEHIND}"
        ).bindparams(now=now)
    )
    op.execute(sa.text(f"UPDATE tasks SET thread_queued = :yes WHERE {BEHIND}").bindparams(yes=True))
    # Thread reminders, folded reminder posts and digests not yet sent: the channel's list says all of it now.
    op.execute(
        sa.text(
            "UPDATE outbox SET state = 'cancelled'"
            " WHERE state = 'pending' AND purpose IN ('nag', 'nag_batch', 'digest')"
        )
    )
    op.create_table(
        "channel_lists",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("shown", sa.Integer(), nullable=False),
        sa.Column("queued", sa.Boolean(), nullable=False),
        sa.Column("move", sa.Boolean(), nullable=False),
        sa.Column("moved_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mention", sa.String(length=300), nullable=True),
        sa.Column("mentioned_on", sa.Date(), nullable=True),
        sa.Column("edition_day", sa.Date(), nullable=True),
        sa.Column("since", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "channel_id", name=op.f("pk_channel_lists")),
    )


def downgrade() -> None:
    op.drop_table("channel_lists")
    op.execute(sa.text("DELETE FROM outbox WHERE purpose = 'thread' AND state = 'pending'"))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("thread_lease_owner", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("thread_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("thread_error", sa.String(length=200), nullable=True))
        batch_op.drop_column("thread_queued")
        batch_op.create_index(
            "ix_tasks_thread_behind",
            ["id"],
            sqlite_where=sa.text("thread_version < version"),
            postgresql_where=sa.text("thread_version < version"),
        )

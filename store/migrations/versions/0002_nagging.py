"""nagging digests outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_pace",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("next_post_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", name=op.f("pk_channel_pace")),
    )
    op.create_table(
        "digest_runs",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", "day", name=op.f("pk_digest_runs")),
    )
    op.create_table(
        "ping_counts",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", "day", name=op.f("pk_ping_counts")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("send_after", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_ts", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_outbox_task_id_tasks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_state_due", ["state", "send_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_task_id"), ["task_id"], unique=False)

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_since", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_nag_at", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("nags_sent", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("poster_nagged", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("snoozed_until", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_reminders_sent", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_due_at", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_tasks_next_due_at"), ["next_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_next_nag_at"), ["next_nag_at"], unique=False)

    with op.batch_alter_table("watched_channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("muted", sa.Boolean(), nullable=False, server_default=sa.false()))

    # Tasks that were already open start their nag clock now: the first tick reminds them once.
    op.execute("UPDATE tasks SET open_since = created_at, next_nag_at = created_at WHERE status = 'open'")


def downgrade() -> None:
    with op.batch_alter_table("watched_channels", schema=None) as batch_op:
        batch_op.drop_column("muted")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_next_nag_at"))
        batch_op.drop_index(batch_op.f("ix_tasks_next_due_at"))
        batch_op.drop_column("next_due_at")
        batch_op.drop_column("due_reminders_sent")
        batch_op.drop_column("due_on")
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("poster_nagged")
        batch_op.drop_column("nags_sent")
        batch_op.drop_column("next_nag_at")
        batch_op.drop_column("open_since")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_task_id"))
        batch_op.drop_index("ix_outbox_state_due")

    op.drop_table("outbox")
    op.drop_table("ping_counts")
    op.drop_table("digest_runs")
    op.drop_table("channel_pace")

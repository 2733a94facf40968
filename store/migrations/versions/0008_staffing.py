"""staffing: roles and seats, offers that expire, event times and the roster, swaps, undo, quiet claims

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roles", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("event_start", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("event_end", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("place", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("roster_at", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("calendar_seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("touched_at", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("stale_nudge_at", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_tasks_roster_at"), ["roster_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_stale_nudge_at"), ["stale_nudge_at"], unique=False)
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seat", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("offered_until", store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("placed_by", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_claims_offered_until"), ["offered_until"], unique=False)
    op.create_table(
        "swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("from_user", sa.String(length=32), nullable=False),
        sa.Column("to_user", sa.String(length=32), nullable=False),
        sa.Column("seat", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_swaps_task_id_tasks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_swaps")),
    )
    op.create_index(op.f("ix_swaps_task_id"), "swaps", ["task_id"], unique=False)
    op.create_table(
        "undos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_undos_task_id_tasks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_undos")),
    )
    op.create_index(op.f("ix_undos_task_id"), "undos", ["task_id"], unique=False)
    # Claims made before this migration, without a due date, are looked at by the first tick: the quiet-claim
    # planner works out from when they were claimed whether (and when) their owners are asked "still on it?".
    tasks = sa.table(
        "tasks",
        sa.column("status", sa.String()),
        sa.column("due_on", sa.Date()),
        sa.column("stale_nudge_at", store.models.UTCDateTime(timezone=True)),
    )
    op.execute(
        tasks.update()
        .where(tasks.c.status == "claimed", tasks.c.due_on.is_(None))
        .values(stale_nudge_at=datetime.now(UTC))
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_undos_task_id"), table_name="undos")
    op.drop_table("undos")
    op.drop_index(op.f("ix_swaps_task_id"), table_name="swaps")
    op.drop_table("swaps")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_offered_until"))
        batch_op.drop_column("placed_by")
        batch_op.drop_column("offered_until")
        batch_op.drop_column("seat")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_stale_nudge_at"))
        batch_op.drop_index(batch_op.f("ix_tasks_roster_at"))
        batch_op.drop_column("stale_nudge_at")
        batch_op.drop_column("touched_at")
        batch_op.drop_column("calendar_seq")
        batch_op.drop_column("roster_at")
        batch_op.drop_column("place")
        batch_op.drop_column("event_end")
        batch_op.drop_column("event_start")
        batch_op.drop_column("roles")

"""the right person: who may claim a kind (claimer_routes, group_members), who is away (people,
away_notices), and events from iCalendar feeds (feeds.source and match, calendar_events)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claimer_routes",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("set_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "kind", name=op.f("pk_claimer_routes")),
    )
    op.create_table(
        "group_members",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("fetched_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "group_id", name=op.f("pk_group_members")),
    )
    op.create_table(
        "people",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("status_emoji", sa.String(length=100), nullable=True),
        sa.Column("status_text", sa.String(length=200), nullable=True),
        sa.Column("status_expiration", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("profile_read_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dnd_enabled", sa.Boolean(), nullable=False),
        sa.Column("dnd_start", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dnd_end", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dnd_read_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_people")),
    )
    op.create_table(
        "away_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("told_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_away_notices_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_away_notices")),
    )
    with op.batch_alter_table("away_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_away_notices_task_id"), ["task_id"], unique=False)
        batch_op.create_index("ix_away_notices_team_user", ["team_id", "user_id", "told_at"], unique=False)

    op.create_table(
        "calendar_events",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("seen_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name=op.f("fk_calendar_events_feed_id_feeds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_calendar_events_task_id_tasks"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("feed_id", "key", name=op.f("pk_calendar_events")),
    )
    with op.batch_alter_table("calendar_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_events_task_id"), ["task_id"], unique=False)

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nominee_note", sa.String(length=300), nullable=True))
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), server_default="feed", nullable=False))
        batch_op.add_column(sa.Column("match", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("horizon_seconds", sa.Integer(), server_default="7776000", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("nominee_note")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("horizon_seconds")
        batch_op.drop_column("match")
        batch_op.drop_column("source")

    with op.batch_alter_table("calendar_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_events_task_id"))

    op.drop_table("calendar_events")
    with op.batch_alter_table("away_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_away_notices_team_user")
        batch_op.drop_index(batch_op.f("ix_away_notices_task_id"))

    op.drop_table("away_notices")
    op.drop_table("people")
    op.drop_table("group_members")
    op.drop_table("claimer_routes")

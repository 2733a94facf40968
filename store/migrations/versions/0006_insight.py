"""insight: who opened the Home tab (it refreshes for them), the fair nominee, events by workspace and time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_views",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_home_views")),
    )
    op.create_index("ix_home_views_team_opened", "home_views", ["team_id", "opened_at"], unique=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nominee", sa.String(length=32), nullable=True))
    op.create_index("ix_task_events_team_at", "task_events", ["team_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_task_events_team_at", table_name="task_events")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("nominee")
    op.drop_index("ix_home_views_team_opened", table_name="home_views")
    op.drop_table("home_views")

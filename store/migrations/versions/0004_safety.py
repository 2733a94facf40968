"""safety: titles and proof stored plain (escaped where shown), private channels, archived channels, uninstalls

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNESCAPE = "REPLACE(REPLACE(REPLACE({0}, '&lt;', '<'), '&gt;', '>'), '&amp;', '&')"
ESCAPE = "REPLACE(REPLACE(REPLACE({0}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("uninstalled_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("watched_channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Private channels' ids begin with G in workspaces created before 2020; later ones are learnt as they come.
    op.execute("UPDATE tasks SET private = (channel_id LIKE 'G%')")
    op.execute("UPDATE watched_channels SET private = (channel_id LIKE 'G%')")
    # Titles and proof were stored escaped, as Slack sends text; now they are stored as typed.
    op.execute(f"UPDATE tasks SET title = {UNESCAPE.format('title')}, done_link = {UNESCAPE.format('done_link')}")


def downgrade() -> None:
    op.execute(f"UPDATE tasks SET title = {ESCAPE.format('title')}, done_link = {ESCAPE.format('done_link')}")
    with op.batch_alter_table("watched_channels", schema=None) as batch_op:
        batch_op.drop_column("archived")
        batch_op.drop_column("private")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("private")
    op.drop_table("workspaces")

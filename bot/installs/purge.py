"""`dibs purge TEAM_ID`: remove every row of a workspace that uninstalled Dibs.

Until then an uninstalled workspace's tasks are kept (for `dibs export`). Purging deletes, in one
transaction, the rows of every table that has a `team_id` (claims go with their tasks), and what the
installation store still holds for the workspace. A workspace where Dibs is still installed is refused:
uninstall Dibs there first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import MetaData, Table, delete, func, select
from sqlalchemy.orm import Session

from bot.tasks.errors import DibsError
from store.models import Base, Claim, Task
from store.queries.common import rows_changed
from store.queries.workspaces import is_installed

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Purged:
    """How many rows of each table went (tables with none left out)."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        """All the rows removed."""
        return sum(self.rows.values())


def team_tables() -> list[Table]:
    """Dibs's tables that hold a workspace's rows, children before parents."""
    return [table for table in reversed(Base.metadata.sorted_tables) if "team_id" in table.c]


def store_tables() -> list[Table]:
    """slack_sdk's installation and bot tables, as its store defines them (rows of any client id)."""
    store, metadata = SQLAlchemyInstallationStore, MetaData()
    return [
        store.build_installations_table(metadata, store.default_installations_table_name),
        store.build_bots_table(metadata, store.default_bots_table_name),
    ]


def _claims_of(session: Session, team_id: str) -> int:
    mine = select(Task.id).where(Task.team_id == team_id)
    return session.scalar(select(func.count()).select_from(Claim).where(Claim.task_id.in_(mine))) or 0


def purge_workspace(svc: Services, team_id: str) -> Purged:
    """Delete every row of the workspace; DibsError (a sentence) if Dibs is still installed there."""
    with svc.transaction() as tx:
        if is_installed(tx.session, team_id):
            raise DibsError(f"Dibs is still installed in {team_id}: uninstall it there first")
        rows = {"claims": _claims_of(tx.session, team_id)}
        for table in team_tables():
            rows[table.name] = rows_changed(tx.session.execute(delete(table).where(table.c.team_id == team_id)))
        for table in store_tables():
            rows[table.name] = rows_changed(tx.session.execute(delete(table).where(table.c.team_id == team_id)))
    svc.installs.evict([team_id])
    return Purged({name: count for name, count in rows.items() if count})

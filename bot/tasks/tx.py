"""`Tx`: one open transaction as the domain sees it (its session, the settings, its moment) and the list of
what changed in it, which the editor turns into what Dibs says before the commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.settings.workspace import merged
from bot.tasks.changes import Change
from store.queries.workspaces import setting_values

TEAM_SETTINGS = "dibs_team_settings"


def settings_in(session: Session, base: Settings, team_id: str) -> Settings:
    """The settings as they apply in one workspace: the file's, with its own values (`/dibs settings`) on
    top; read once per session."""
    known: dict[str, Settings] = session.info.setdefault(TEAM_SETTINGS, {})
    if team_id not in known:
        values = setting_values(session, team_id)
        known[team_id] = merged(base, values) if values else base
    return known[team_id]


@dataclass(frozen=True)
class Tx:
    """One open transaction: its session, the settings file's settings, the moment it runs at, and the
    changes recorded in it (domain events: the editor reads them before the commit)."""

    session: Session
    settings: Settings
    now: datetime
    changes: list[Change] = field(default_factory=list)

    def settings_for(self, team_id: str) -> Settings:
        """The settings as they apply in the workspace `team_id` (its time zone, hours, digest time)."""
        return settings_in(self.session, self.settings, team_id)

    def changed(self, change: Change) -> None:
        """Record what changed, for the editor to say (or not) once the transaction's work is done."""
        self.changes.append(change)

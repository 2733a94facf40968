"""`Tx`: one open transaction as the domain sees it (its session, the settings, its moment) and the list of
what changed in it, which the editor turns into what Dibs says before the commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.memo import Memo
from bot.settings import Settings
from bot.settings.workspace import merged, with_phrases
from bot.tasks.changes import Change
from store.queries.phrases import added_phrases
from store.queries.workspaces import setting_values

TEAM_SETTINGS = "dibs_team_settings"


def settings_in(session: Session, base: Settings, team_id: str, memo: Memo | None = None) -> Settings:
    """The settings as they apply in one workspace: the file's, with its own values (`/dibs settings`) and the
    phrases its admins added to kinds on top; read once per session (and kept a moment in `memo`)."""
    known: dict[str, Settings] = session.info.setdefault(TEAM_SETTINGS, {})
    if team_id not in known:

        def read() -> Settings:
            values = setting_values(session, team_id)
            return with_phrases(merged(base, values) if values else base, added_phrases(session, team_id))

        known[team_id] = memo.get(("settings", team_id), read) if memo is not None else read()
    return known[team_id]


@dataclass(frozen=True)
class Tx:
    """One open transaction: its session, the settings file's settings, the moment it runs at, and the
    changes recorded in it (domain events: the editor reads them before the commit)."""

    session: Session
    settings: Settings
    now: datetime
    changes: list[Change] = field(default_factory=list)
    memo: Memo | None = None  # what the bot keeps a moment in memory (its settings, routes, watched channels)
    forgotten: set[tuple[str, ...]] = field(default_factory=set)
    queued_claims: set[int] = field(default_factory=set)  # tasks with claims to seat after the commit

    def settings_for(self, team_id: str) -> Settings:
        """The settings as they apply in the workspace `team_id` (its time zone, hours, digest time)."""
        return settings_in(self.session, self.settings, team_id, self.memo)

    def forget(self, key: tuple[str, ...]) -> None:
        """This transaction changes what `key` stands for: the bot reads it again next time (from now, and
        once more after the commit, in case another thread read the old value meanwhile)."""
        if self.memo is not None:
            self.memo.forget(key)
            self.forgotten.add(key)

    def changed(self, change: Change) -> None:
        """Record what changed, for the editor to say (or not) once the transaction's work is done."""
        self.changes.append(change)

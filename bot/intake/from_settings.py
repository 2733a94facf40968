"""Feeds and calendars from the settings file: each workspace's rows of one source made those the file lists
now, by (channel, address): a row the file no longer lists is deleted, one it still lists updated, a new entry
added. An entry without a `team` belongs to the bot token's workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from bot.tasks.tx import Tx
from store.models import Feed
from store.queries import feeds as queries


class Entry(Protocol):
    """A feed or calendar entry of the settings file."""

    @property
    def channel(self) -> str: ...

    @property
    def url(self) -> str: ...

    @property
    def team(self) -> str | None: ...


E = TypeVar("E", bound=Entry)


def sync_from_settings(
    tx: Tx, token_team: str | None, entries: Iterable[E], source: str, update: Callable[[Feed, E], None],
    add: Callable[[str, E], None],
) -> None:  # fmt: skip
    """Make the rows of `source` from the settings file those `entries` list now: `update(row, entry)` for a row
    still listed, `add(team_id, entry)` for a new entry (`token_team`: the bot token's workspace, if any)."""
    wanted: dict[str, dict[tuple[str, str], E]] = {}
    for entry in entries:
        team_id = entry.team or token_team
        if team_id:
            wanted.setdefault(team_id, {})[(entry.channel, entry.url)] = entry
    for team_id in set(wanted) | queries.settings_feed_teams(tx.session, source):
        want = wanted.get(team_id, {})
        for row in queries.feeds_from_settings(tx.session, team_id, source):
            found = want.pop((row.channel_id, row.url), None)
            if found is None:
                tx.session.delete(row)
            else:
                update(row, found)
        for entry in want.values():
            add(team_id, entry)

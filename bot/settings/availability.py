"""Who is asked: `availability:` (who is away: not asked, not offered a seat) and `nominee:` (rotation: fair)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator

from bot.settings.values import Duration, Flag, Section, matches, read_emoji, refuse


def _emoji_set(value: object) -> frozenset[str]:
    if isinstance(value, frozenset):
        return value
    items = value or []
    if not isinstance(items, list):
        refuse("expected a list of emoji names, like [palm_tree, face_with_thermometer]")
    return frozenset(read_emoji(item) for item in items)


class NomineeSettings(Section):
    """`rotation: fair`: who is never asked (a Slack status with one of these emoji: away, ill)."""

    skip_status: Annotated[frozenset[str], BeforeValidator(_emoji_set)] = frozenset(
        {"palm_tree", "face_with_thermometer"}
    )
    lookback: Duration = timedelta(days=30)  # claims counted over this long: the fewest is asked first


DEFAULT_AWAY = (":palm_tree:", ":airplane:", ":face_with_thermometer:", ":baby:",
                "out of office", "OOO", "vacation", "holiday", "sick", "parental leave")  # fmt: skip


def _away_item(item: object) -> str:
    """`:palm_tree:` (or `palm_tree`: a name with an underscore) is an emoji, kept as `:palm_tree:`; anything
    else is words, matched as whole words in a status's text in any case."""
    text = item.strip() if isinstance(item, str) else ""
    if text.startswith(":") or matches(r"[a-z0-9+\-']+(_[a-z0-9+\-']+)+")(text):
        return f":{read_emoji(text)}:"
    if not 1 <= len(text) <= 60:
        refuse(f'{item!r} is not accepted; write an emoji in quotes like ":palm_tree:", or words like out of office')
    return text


def _away_statuses(value: object) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return value
    if not isinstance(value, list):
        refuse('expected a list of emoji and words, like [":palm_tree:", out of office, OOO]')
    return tuple(dict.fromkeys(_away_item(item) for item in value))


class AvailabilitySettings(Section):
    """Who is away (not asked, not offered a seat): a Slack status with one of `away_statuses` (an emoji, or
    words in its text), Do Not Disturb, and with `respect_local_hours` outside `working_hours` where they are."""

    away_statuses: Annotated[tuple[str, ...], BeforeValidator(_away_statuses)] = DEFAULT_AWAY
    respect_local_hours: Flag = False

    @property
    def emoji(self) -> frozenset[str]:
        """The emoji names (no colons) that make a status away."""
        return frozenset(item.strip(":") for item in self.away_statuses if item.startswith(":"))

    @property
    def words(self) -> tuple[str, ...]:
        """The words that make a status away, found as whole words in its text, in any case."""
        return tuple(item for item in self.away_statuses if not item.startswith(":"))

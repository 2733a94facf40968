"""Who is away: one check for the nominee, offers and whatever else picks a person (pure: no Slack, no database).

A person is away when their Slack status has one of `availability.away_statuses` (an emoji, or words in its
text, any case; `nominee.skip_status`'s emoji count too) and has not expired; when they are on Do Not Disturb;
or, with `availability.respect_local_hours`, when it is outside `working_hours` where they are (their own time
zone). `away` says why in words another person can read ("out of office until Fri"); a status's own text is
never repeated, since a person typed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.settings import Settings, WorkingHours
from bot.slack.text import has_any_word
from bot.timing import in_working_hours
from store.models import Person


@dataclass(frozen=True)
class Presence:
    """What Dibs last read of a person in Slack (`people`): their status, time zone and Do Not Disturb."""

    status_emoji: str = ""
    status_text: str = ""
    status_expiration: datetime | None = None  # None: the status does not expire
    tz: str | None = None
    dnd_enabled: bool = False
    dnd_start: datetime | None = None
    dnd_end: datetime | None = None

    @classmethod
    def of(cls, row: Person | None) -> Presence:
        """A person's row as read (nothing known: present)."""
        if row is None:
            return cls()
        return cls(row.status_emoji or "", row.status_text or "", row.status_expiration, row.tz,
                   bool(row.dnd_enabled), row.dnd_start, row.dnd_end)  # fmt: skip


@dataclass(frozen=True)
class Away:
    """Why someone is away: `why` ("out of office", "on Do Not Disturb", "outside their working hours"), until
    when (`until`: "Fri", "15:00"), and their own clock for working hours (`local`: "22:10 in Tokyo")."""

    why: str
    until: str = ""
    local: str = ""

    @property
    def words(self) -> str:
        """`out of office until Fri`, `on Do Not Disturb until 15:00`, `outside their working hours (22:10 in
        Tokyo)`."""
        return self.why + (f" until {self.until}" if self.until else "") + (f" ({self.local})" if self.local else "")

    @property
    def to_them(self) -> str:
        """How they were away, told to them: `out of office`, `outside your working hours`."""
        return self.why.replace("their", "your")


@dataclass(frozen=True)
class AwayRules:
    """The settings' rules, read once: the status emoji and words, the working hours where each person is (None:
    not respected), and the workspace's time zone (when a status or Do Not Disturb ends, as the reader reads)."""

    emoji: frozenset[str]
    words: tuple[str, ...]
    hours: WorkingHours | None
    tz: ZoneInfo

    @classmethod
    def of(cls, settings: Settings) -> AwayRules:
        """The rules a workspace's settings make."""
        chosen = settings.availability
        hours = settings.working_hours if chosen.respect_local_hours and not settings.working_hours.always else None
        return cls(chosen.emoji | settings.nominee.skip_status, chosen.words, hours, settings.tz)


def away(person: Presence | None, now: datetime, rules: AwayRules) -> Away | None:
    """Why the person is away at `now`, or None if they are not (or nothing is known of them)."""
    if person is None:
        return None
    if _status_away(person, now, rules):
        expires = person.status_expiration
        return Away("out of office", _until(expires, now, rules.tz) if expires else "")
    if person.dnd_enabled and _within(now, person.dnd_start, person.dnd_end):
        return Away("on Do Not Disturb", _until(person.dnd_end, now, rules.tz) if person.dnd_end else "")
    zone = _zone(person.tz)
    if rules.hours is not None and zone is not None and not in_working_hours(now, rules.hours, zone):
        return Away("outside their working hours", local=f"{now.astimezone(zone):%H:%M} in {_place(zone.key)}")
    return None


def _status_away(person: Presence, now: datetime, rules: AwayRules) -> bool:
    if person.status_expiration is not None and person.status_expiration <= now:
        return False  # Slack clears it at that moment; the row may not have heard yet
    emoji = person.status_emoji.strip().strip(":").split("::")[0]  # a skin tone (`baby::skin-tone-2`) is the same emoji
    if emoji and emoji in rules.emoji:
        return True
    return has_any_word(person.status_text, rules.words)


def _within(now: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or start <= now) and (end is None or now < end)


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _place(key: str) -> str:
    """`Asia/Tokyo` reads `Tokyo`; `America/Argentina/Buenos_Aires` reads `Buenos Aires`."""
    return key.rsplit("/", 1)[-1].replace("_", " ")


def _until(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """When something ends, as the workspace reads it: `15:00` today, `Fri` within the week, else `Mon 21 Dec`."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if local.date() < today + timedelta(days=7):
        return f"{local:%a}"
    return f"{local:%a %d %b}"

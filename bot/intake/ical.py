"""Reading a team's calendar (iCalendar, RFC 5545): its events' occurrences, each known by its key (the UID,
and the RECURRENCE-ID for an occurrence of a recurring event), with its time in UTC. Pure: no database, no
Slack. `icalendar` parses; `recurring_ical_events` expands RRULE, RDATE and EXDATE and applies moved single
occurrences (a VEVENT with a RECURRENCE-ID); VTIMEZONE, TZID, UTC and floating times (read in the workspace's
time zone) all come out as moments."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from bot.slack.payloads import clean_text
from bot.slack.text import has_any_word

KEY_STORED = 300
PLACE_STORED = 200
MAX_OCCURRENCES = 2000  # within the horizon: more is a calendar Dibs should not turn into tasks


class CalendarError(Exception):
    """A calendar could not be read this time; the message says why, in words for `/dibs calendars`."""


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event, as Dibs follows it."""

    key: str
    title: str
    starts_at: datetime  # UTC; an all-day event: the start of its day in the workspace's time zone
    ends_at: datetime | None
    all_day: bool
    day: date  # its day in the workspace's time zone
    place: str | None
    details: str
    url: str | None
    cancelled: bool

    def where(self) -> tuple[datetime, datetime | None, bool, str | None]:
        """What a move changes: the start, the end, whether it takes all day, the place."""
        return self.starts_at, self.ends_at, self.all_day, self.place


def read_calendar(body: bytes) -> icalendar.Calendar:
    """The calendar in an answer; CalendarError if it is not one (an HTML page, broken text)."""
    if b"BEGIN:VCALENDAR" not in body[:5000].upper():
        looks = "an HTML page" if b"<html" in body[:2000].lower() else "not an iCalendar file"
        raise CalendarError(f"the answer is {looks}")
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except (ValueError, KeyError, IndexError) as error:
        raise CalendarError(f"the calendar is broken ({error})"[:250]) from None
    if not isinstance(calendar, icalendar.Calendar):
        raise CalendarError("the answer is not one calendar")
    return calendar


def _text(event: Any, name: str) -> str:
    return clean_text(str(event.get(name) or "")).strip()


def _key(uid: str, recurrence: Any) -> str:
    key = uid if recurrence is None else f"{uid}/{_stamp(recurrence)}"
    return key if len(key) <= KEY_STORED else hashlib.sha256(key.encode()).hexdigest()


def _stamp(value: Any) -> str:
    moment = getattr(value, "dt", value)
    if isinstance(moment, datetime):
        aware = moment.astimezone(UTC) if moment.tzinfo else moment
        return aware.strftime("%Y%m%dT%H%M%S") + ("Z" if moment.tzinfo else "")
    return moment.strftime("%Y%m%d") if isinstance(moment, date) else str(moment)


def _moment(value: Any, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=tz).astimezone(UTC)


def _occurrence(event: Any, key: str, tz: ZoneInfo) -> Occurrence | None:
    start = getattr(event.get("DTSTART"), "dt", None)
    if not isinstance(start, date):
        return None
    end = getattr(event.get("DTEND"), "dt", None)
    if end is None and isinstance(getattr(event.get("DURATION"), "dt", None), timedelta):
        end = start + event["DURATION"].dt
    all_day = not isinstance(start, datetime)
    starts_at = _moment(start, tz)
    ends_at = None if all_day or not isinstance(end, date) else _moment(end, tz)  # an all-day event: its day
    if ends_at is not None and ends_at < starts_at:
        ends_at = None
    link = _text(event, "URL")
    return Occurrence(
        key=key, title=" ".join(_text(event, "SUMMARY").split())[:300] or "(no title)", starts_at=starts_at,
        ends_at=ends_at, all_day=all_day,
        day=start if all_day else starts_at.astimezone(tz).date(),
        place=" ".join(_text(event, "LOCATION").split())[:PLACE_STORED] or None, details=_text(event, "DESCRIPTION"),
        url=link if link.lower().startswith(("https://", "http://")) else None,
        cancelled=str(event.get("STATUS") or "").upper() == "CANCELLED",
    )  # fmt: skip


def _recurring(calendar: icalendar.Calendar) -> set[str]:
    """The UIDs of recurring events: their occurrences are told apart by their RECURRENCE-ID."""
    return {
        str(event.get("UID"))
        for event in calendar.walk("VEVENT")
        if any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }


def _uid(event: Any) -> str:
    uid = _text(event, "UID")
    if uid:
        return uid
    made = f"{_text(event, 'SUMMARY')}|{_stamp(event.get('DTSTART'))}"  # no UID: its title and start stand for it
    return "nouid-" + hashlib.sha256(made.encode()).hexdigest()[:32]


def occurrences(calendar: icalendar.Calendar, now: datetime, horizon: timedelta, tz: ZoneInfo) -> dict[str, Occurrence]:
    """Every occurrence from `now` to `horizon` ahead (one under way included), by key."""
    recurring = _recurring(calendar)
    found: dict[str, Occurrence] = {}
    try:  # in the order they start, so a rule that repeats every minute costs no more than MAX_OCCURRENCES
        for event in recurring_ical_events.of(calendar).after(now):
            uid = _uid(event)
            key = _key(uid, event.get("RECURRENCE-ID") if uid in recurring else None)
            occurrence = _occurrence(event, key, tz)
            if occurrence is not None and occurrence.starts_at > now + horizon:
                break
            if occurrence is not None:
                found[key] = occurrence
            if len(found) > MAX_OCCURRENCES:
                raise CalendarError(
                    f"it has more than {MAX_OCCURRENCES} events in the next {horizon.days} days; "
                    "choose its events with match words, or a shorter horizon"
                )
    except CalendarError:
        raise
    except Exception as error:  # a broken RRULE, a time zone it cannot read: this calendar, this time
        raise CalendarError(f"its events could not be read ({type(error).__name__}: {error})"[:250]) from None
    return found


def single_events(calendar: icalendar.Calendar, tz: ZoneInfo) -> dict[str, Occurrence]:
    """The events that happen once (and the moved occurrences of recurring ones), wherever they are in time: an
    event moved out of the window is still there, not cancelled."""
    recurring = _recurring(calendar)
    found: dict[str, Occurrence] = {}
    for event in calendar.walk("VEVENT"):
        if "RRULE" in event or "RDATE" in event:
            continue
        uid = _uid(event)
        recurrence = event.get("RECURRENCE-ID")
        if uid in recurring and recurrence is None:
            continue
        key = _key(uid, recurrence if uid in recurring else None)
        occurrence = _occurrence(event, key, tz)
        if occurrence is not None:
            found[key] = occurrence
    return found


def names_one_of(title: str, words: list[str]) -> bool:
    """Whether the event's title has one of `words` (whole words, in any case); every title without words."""
    return not words or has_any_word(title, words)

"""An event owner's calendar entry, made from the task: when it is, its `.ics` (RFC 5545) and a Google
Calendar link. Pure functions: the courier sends what they make (`bot.editor.calendars`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import icalendar

from bot.settings.labels import kind_label
from bot.staffing.ics import add_timezones, day_stamp, text, utc_stamp
from store.models import Task

PRODID = "-//Dibs//Dibs calendar entries//EN"
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
# An event with a start and no end is shown as one hour long: a calendar needs an end, and an hour marks the
# start without claiming the owner's whole day (`/dibs when` sets the real end when there is one).
DEFAULT_LENGTH = timedelta(hours=1)


@dataclass(frozen=True)
class Timed:
    """An event with a start and an end (aware datetimes, stored in UTC)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class AllDay:
    """An all-day event on one day (a task with a due date and no time)."""

    day: date


When = Timed | AllDay


def event_time(due_on: date | None, event_start: datetime | None, event_end: datetime | None) -> When | None:
    """When the event is: timed when it has a start (an end missing or not after the start is start + one
    hour, `DEFAULT_LENGTH`), else all day on its due date; None without either."""
    if event_start is not None:
        start = event_start.astimezone(UTC)
        end = event_end.astimezone(UTC) if event_end is not None and event_end > event_start else None
        return Timed(start, end or start + DEFAULT_LENGTH)
    return AllDay(due_on) if due_on is not None else None


@dataclass(frozen=True)
class CalendarEntry:
    """What a calendar entry shows: one task's event, in the workspace's time zone."""

    team_id: str
    task_id: int
    title: str
    kind: str
    when: When | None  # None only in a cancellation of an event that lost its date
    zone: ZoneInfo
    sequence: int = 0
    place: str | None = None
    permalink: str | None = None


def entry_of(task: Task, zone: ZoneInfo) -> CalendarEntry:
    """The calendar entry of a task as it stands, shown in `zone` (the workspace's)."""
    return CalendarEntry(
        team_id=task.team_id, task_id=task.id, title=task.title, kind=task.kind,
        when=event_time(task.due_on, task.event_start, task.event_end), zone=zone,
        sequence=task.calendar_seq, place=task.place or None, permalink=task.permalink or None,
    )  # fmt: skip


def entry_uid(team_id: str, task_id: int) -> str:
    """The entry's UID: the same for every update of one task, so a calendar replaces its copy."""
    return f"task-{task_id}-{team_id}@dibs"


def description(entry: CalendarEntry) -> str:
    """The entry's notes: the kind of task, its number in Slack, and the link to its thread."""
    about = f"{kind_label(None, entry.kind)}: #{entry.task_id} in Slack"
    return f"{about}\n{entry.permalink}" if entry.permalink else about


def ics_entry(entry: CalendarEntry, now: datetime, cancel: bool = False) -> bytes:
    """The `.ics` file of the entry: METHOD:REQUEST to add or update it, METHOD:CANCEL (STATUS:CANCELLED)
    to take it off the owner's calendar; `now` is its DTSTAMP."""
    if entry.when is None and not cancel:
        raise ValueError(f"task #{entry.task_id} has no date: there is no calendar entry to make")
    event = icalendar.Event()
    event.add("uid", entry_uid(entry.team_id, entry.task_id))
    event.add("sequence", entry.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    match entry.when:
        case Timed(start, end):  # in the workspace's zone: DTSTART;TZID=…, with its VTIMEZONE below
            event.add("dtstart", start.astimezone(entry.zone))
            event.add("dtend", end.astimezone(entry.zone))
        case AllDay(day):
            # DTEND is exclusive (RFC 5545 3.6.1): an event on one day ends at the start of the next.
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
    event.add("summary", text(entry.title))
    if entry.place:
        event.add("location", text(entry.place))
    event.add("description", text(description(entry)))
    if entry.permalink:
        event.add("url", entry.permalink)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    calendar.add_component(event)
    if isinstance(entry.when, Timed):
        add_timezones(calendar, entry.when.start, entry.when.end, entry.zone)
    return bytes(calendar.to_ical())


def google_dates(when: When) -> str:
    """The `dates` of a Google Calendar link: `YYYYMMDD/YYYYMMDD` (the day after) or UTC `…T…Z/…T…Z`."""
    if isinstance(when, AllDay):
        return f"{day_stamp(when.day)}/{day_stamp(when.day + timedelta(days=1))}"
    return f"{utc_stamp(when.start)}/{utc_stamp(when.end)}"


def google_calendar_link(entry: CalendarEntry) -> str:
    """A link that opens Google Calendar with the event filled in (the owner saves it with one click)."""
    if entry.when is None:
        raise ValueError(f"task #{entry.task_id} has no date: there is no calendar link to make")
    query = {"action": "TEMPLATE", "text": entry.title, "dates": google_dates(entry.when),
             "details": description(entry), **({"location": entry.place} if entry.place else {}),
             "ctz": entry.zone.key}  # fmt: skip
    return f"{GOOGLE_CALENDAR}?{urlencode(query, quote_via=quote)}"


def describe_when(when: When, zone: ZoneInfo) -> str:
    """The event's time for a sentence: `Sat 12 Dec 2026, 09:00–17:00 (Europe/Berlin)`, or `… (all day)`."""
    if isinstance(when, AllDay):
        return f"{when.day:%a %d %b %Y} (all day)"
    start, end = when.start.astimezone(zone), when.end.astimezone(zone)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %d %b %Y, %H:%M}"
    return f"{start:%a %d %b %Y, %H:%M}–{until} ({zone.key})"

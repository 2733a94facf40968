"""iCalendar documents for the team-calendar tests: events as Google Calendar and Outlook write them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def _when(name: str, value: date | datetime, tzid: str | None = None) -> str:
    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{value:%Y%m%d}"
    if tzid:
        return f"{name};TZID={tzid}:{value.astimezone(ZoneInfo(tzid)):%Y%m%dT%H%M%S}"
    return f"{name}:{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def vevent(
    uid: str, summary: str, start: date | datetime, end: date | datetime | None = None, *, location: str | None = None,
    status: str | None = None, rrule: str | None = None, recurrence_id: date | datetime | None = None,
    exdate: datetime | None = None, sequence: int = 0, tzid: str | None = None, description: str | None = None,
) -> str:  # fmt: skip
    """One VEVENT (times in UTC, or in `tzid`)."""
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261201T000000Z", _when("DTSTART", start, tzid)]
    lines += [_when("DTEND", end, tzid)] if end is not None else []
    lines += [f"SUMMARY:{summary}", f"SEQUENCE:{sequence}"]
    lines += [f"LOCATION:{location}"] if location else []
    lines += [f"DESCRIPTION:{description}"] if description else []
    lines += [f"STATUS:{status}"] if status else []
    lines += [f"RRULE:{rrule}"] if rrule else []
    lines += [_when("RECURRENCE-ID", recurrence_id, tzid)] if recurrence_id is not None else []
    lines += [_when("EXDATE", exdate, tzid)] if exdate is not None else []
    return "\r\n".join([*lines, "END:VEVENT"])


def vcalendar(*events: str) -> bytes:
    """A VCALENDAR of these events."""
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "CALSCALE:GREGORIAN"]
    return "\r\n".join([*head, *events, "END:VCALENDAR", ""]).encode()

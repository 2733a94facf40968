"""What RFC 5545 needs beyond the `icalendar` library, which writes Dibs's `.ics` files (escaping, folding,
VTIMEZONE): typed text without control characters, and the span of years a VTIMEZONE covers. Also the compact
stamps the Google Calendar link shares with iCalendar."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar

# Control characters are not allowed in TEXT (RFC 5545 3.3.11) except HTAB, and icalendar writes them as they
# are; newlines are fine (icalendar escapes them), so every kind becomes `\n` first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def text(value: str) -> str:
    """Text a person typed, fit for a TEXT value: its line breaks as `\\n`, control characters left out."""
    return _CONTROL.sub("", _NEWLINE.sub("\n", value))


def add_timezones(calendar: icalendar.Calendar, start: datetime, end: datetime, zone: ZoneInfo) -> None:
    """A VTIMEZONE for every TZID the calendar names (none for UTC, which is written `…Z`), right from the
    new year before `start` to the one after `end`: a whole year at least, so a zone with summer time shows
    both its STANDARD and DAYLIGHT, and not the zone's history since 1970 (icalendar's default, which also
    stops in 2038)."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    calendar.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1))


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC (`20261212T080000Z`)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def day_stamp(day: date) -> str:
    """A DATE (`20261212`)."""
    return day.strftime("%Y%m%d")

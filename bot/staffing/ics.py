"""RFC 5545 by hand: TEXT escaping, content lines folded at 75 octets, and a VTIMEZONE for one event.

Dibs writes iCalendar itself (a few dozen lines) rather than depend on a library at run time; the tests
read what it writes back with the `icalendar` package.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LINE_OCTETS = 75  # RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets, excluding the CRLF
CRLF = "\r\n"
# Control characters are not allowed in TEXT (RFC 5545 3.3.11) except HTAB; newlines are escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
# How far apart two offset changes of a zone can be, at least, for the walk through an event (a day).
_STEP = timedelta(days=1)


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 writes it: backslash, semicolon, comma and newline escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _NEWLINE.sub("\\\\n", value))


def fold(line: str) -> str:
    """One content line folded into lines of at most 75 octets each (continuations start with a space),
    never inside a UTF-8 character; joined with CRLF, without the final one."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode())
        if size + octets > LINE_OCTETS:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return CRLF.join(parts)


def content(lines: list[str]) -> bytes:
    """The calendar's bytes: every line folded, each ending in CRLF, in UTF-8."""
    return "".join(fold(line) + CRLF for line in lines).encode()


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC (`20261212T080000Z`), as DTSTAMP wants it."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def local_stamp(moment: datetime, zone: ZoneInfo) -> str:
    """A local DATE-TIME (`20261212T090000`), read with the TZID of `zone`."""
    return moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def day_stamp(day: date) -> str:
    """A DATE (`20261212`)."""
    return day.strftime("%Y%m%d")


def _offset(delta: timedelta) -> str:
    """A UTC-OFFSET: `+0100`, `-0330`, or with seconds where a zone's history has them."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _offset_at(moment: datetime, zone: ZoneInfo) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _change_between(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The first second in (low, high] at the offset of `high`, with one change of offset between them."""
    before = _offset_at(low, zone)
    lo, hi = math.floor(low.timestamp()), math.ceil(high.timestamp())
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if _offset_at(datetime.fromtimestamp(middle, UTC), zone) == before:
            lo = middle
        else:
            hi = middle
    return datetime.fromtimestamp(hi, UTC)


def _observance(onset: datetime, before: timedelta, zone: ZoneInfo, local_onset: str) -> list[str]:
    kind = "DAYLIGHT" if onset.astimezone(zone).dst() else "STANDARD"
    after = _offset_at(onset, zone)
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{local_onset}",
        f"TZOFFSETFROM:{_offset(before)}",
        f"TZOFFSETTO:{_offset(after)}",
        f"TZNAME:{escape_text(onset.astimezone(zone).tzname() or _offset(after))}",
        f"END:{kind}",
    ]


def vtimezone(zone: ZoneInfo, start: datetime, end: datetime) -> list[str]:
    """A VTIMEZONE for `zone` that is right from `start` to `end` (aware datetimes), not a history of the zone.

    Its first observance says the offset in effect at `start` has held since 1970; every change of offset
    during the event (a night across the end of summer time) adds one observance at its onset. That is all a
    calendar needs to read this event's DTSTART and DTEND (most know the TZID anyway and use their own
    database); it would be wrong for other moments of the zone, which this file never names.
    """
    lines = [f"TZID:{escape_text(zone.key)}"]
    lines += _observance(start, _offset_at(start, zone), zone, "19700101T000000")
    moment = start
    while moment < end:
        step = min(moment + _STEP, end)
        if _offset_at(step, zone) != _offset_at(moment, zone):
            onset = _change_between(moment, step, zone)
            before = _offset_at(moment, zone)
            # The onset in the local time in effect before it, as RFC 5545 3.6.5 reads TZOFFSETFROM.
            local_onset = (onset.astimezone(UTC) + before).strftime("%Y%m%dT%H%M%S")
            lines += _observance(onset, before, zone, local_onset)
            moment = onset
        else:
            moment = step
    return ["BEGIN:VTIMEZONE", *lines, "END:VTIMEZONE"]

"""`/dibs due ID DATE` and `/dibs when ID DATE [HOURS] [at PLACE]`: where the date's words end and the hours
and the place begin, the hours as people write them (`09:00-17:00`, `9am-5pm`, `9-5`), and the date read
once the workspace's day, time zone and date order are known (`day_from`)."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from bot.settings import Settings
from bot.slack import commands as cmd
from bot.slack.commands import Command, UsageError
from bot.slack.dates import names_a_day, read_date
from bot.slack.payloads import clean_text
from bot.slack.text import quoted, unescape

_CLOCK = r"(\d{1,2})(?::([0-5]\d))?\s*([ap]\.?m\.?)?"
_RANGE = re.compile(rf"(?<![\w:/-]){_CLOCK}\s*[-–—]\s*{_CLOCK}(?![\w:])", re.IGNORECASE)
_AT_PLACE = re.compile(r"\s+at\s+(?!\d|noon\b|midnight\b)", re.IGNORECASE)  # `at 3pm` is a time, not a place


def _form(name: str, task_id: int) -> str:
    if name == "due":
        return f"write `/dibs due {task_id} Jan 20` (or `next Friday`, `2027-01-20`), or `none` to clear it"
    return f"write `/dibs when {task_id} Jan 20 9am-5pm at Hall 3` (the hours and the place are optional)"


def unreadable(words: str, name: str, task_id: int, what: str | None = "a date") -> UsageError:
    """One sentence: what could not be read, and the one form that works."""
    if not words.strip():
        form = _form(name, task_id)
        return UsageError(f"{form[0].upper()}{form[1:]}.")
    read_as = f" as {what}" if what else ""
    return UsageError(f"I couldn't read `{quoted(words.strip())}`{read_as}: {_form(name, task_id)}.")


def _hour(hour: int, minute: int, meridiem: str | None) -> tuple[int, int] | None:
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.lower().startswith("p") else 0)
    return (hour, minute) if hour <= 23 else None


def read_hours(found: re.Match[str]) -> tuple[time, time] | None:
    """`09:00-17:00`, `9am-5pm`, `9-5pm` (9 in the morning), `1-3pm` (both after noon), `9-5` (9 to 17)."""
    h1, m1, p1, h2, m2, p2 = found.groups()
    end_meridiem = p2
    start = _hour(int(h1), int(m1 or 0), p1 or end_meridiem)
    end = _hour(int(h2), int(m2 or 0), p2)
    if start is not None and end is not None and p1 is None and end_meridiem and start >= end:
        start = _hour(int(h1), int(m1 or 0), "am")  # 9-5pm: nine in the morning
    if start is not None and end is not None and not (p1 or p2 or m1 or m2) and end <= start < (13, 0) and end[0] < 12:
        end = (end[0] + 12, end[1])  # 9-5: a working day (17:00-09:00 stays wrong)
    if start is None or end is None or end <= start:
        return None
    return time(*start), time(*end)


def _after_id(text: str) -> str:
    parts = text.strip().split(maxsplit=2)
    return parts[2] if len(parts) > 2 else ""


def parse_due(task_id: int, text: str) -> Command:
    """`/dibs due ID DATE` or `none`: the date's words, read later (`day_from`)."""
    words = _after_id(text)
    if words.lower() == "none":
        return cmd.SetDue(task_id, None)
    if not names_a_day(words):
        raise unreadable(words, "due", task_id)
    return cmd.SetDue(task_id, clean_text(unescape(words)))


def parse_when(task_id: int, text: str) -> Command:
    """`/dibs when ID DATE [HOURS] [at PLACE]`: the place is the rest of the text, spaces and all."""
    rest = _after_id(text)
    hours_found = _RANGE.search(rest)
    if hours_found is not None:
        words, after = rest[: hours_found.start()], rest[hours_found.end() :].strip()
        hours = read_hours(hours_found)
        if hours is None:
            raise unreadable(hours_found.group(0), "when", task_id, "hours")
        if after and not re.match(r"at\s", after + " ", re.IGNORECASE):
            raise unreadable(after, "when", task_id, None)
        place = after[2:].strip() if after else None
    else:
        at = _AT_PLACE.search(rest)
        words, place, hours = (rest[: at.start()], rest[at.end() :].strip(), None) if at else (rest, None, None)
    if not names_a_day(words):
        raise unreadable(words, "when", task_id)
    return cmd.When(task_id, clean_text(unescape(words.strip())), hours, clean_text(unescape(place)) if place else None)


def day_from(words: str, name: str, task_id: int, now: datetime, settings: Settings) -> date:
    """The day `words` name in the workspace (its time zone, today, its date order); UsageError if none."""
    day = read_date(words, now, settings.tz, settings.date_order)
    if day is None:
        raise unreadable(words, name, task_id)
    return day

"""Dates as people write them: `Jan 20`, `20 January`, `1/20` (or `20/1`, by the workspace's date order),
`next Friday`, `tomorrow 3pm`, `in 2 weeks`, `2026-12-12`. Read by dateparser, then checked here.

A date of a future event is never in the past: a day and month without a year that has passed this
year is next year's, `Friday` is the coming one, and a day that could be two is the next of them.
In a post, only a phrase that names a day counts (a month with its day, a weekday, a numeric date
after `on`/`by`…, an ISO date, today/tomorrow/next…/in N days): "may", "now", "second", "sun" and
bare numbers are words, not dates. dateparser is slow to import and to first use, so it is imported
only when a text has such a phrase. Pure: no Slack, no database.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

DateOrder = Literal["MDY", "DMY"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_YEAR = r"(?:,?\s*(\d{4}))?(?![\d:])"
# Saturday and Sunday only in full: "sat" and "sun" are words.
_WEEKDAY = r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|saturday|sunday)\.?"
_COUNT = r"(?:\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten)"
_NUMERIC = r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/%])"
_PHRASES = {
    "iso": r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)",
    "month_day": rf"\b{_MONTH}\s+(?P<md>{_DAY}){_YEAR}",
    "day_month": rf"\b(?P<dm>{_DAY})\s+(?:of\s+)?{_MONTH}(?!\w){_YEAR}",
    "weekday": rf"\b(?:(?:this|next|coming)\s+)?{_WEEKDAY}(?!\w)",
    "relative": rf"\b(?:today|tonight|tomorrow|next\s+(?:week|month)|in\s+{_COUNT}\s+(?:days?|weeks?|months?))\b",
}
_DAY_PHRASE = re.compile("|".join(f"(?:{p})" for p in _PHRASES.values()), re.IGNORECASE)
_MONTH_DAY = re.compile(f"(?:{_PHRASES['month_day']})|(?:{_PHRASES['day_month']})", re.IGNORECASE)
_NUMERIC_DATE = re.compile(_NUMERIC)
# In a post a numeric date needs a word that makes it one: "1/2 price" and "24/7" are not dates.
_NUMERIC_IN_POST = re.compile(rf"\b(?:on|by|until|till|due|before|from|{_WEEKDAY})\s+{_NUMERIC}", re.IGNORECASE)
_VAGUE = re.compile(r"next\s+(?:week|month)", re.IGNORECASE)
_WRITTEN_YEAR = re.compile(r"(?<![\d:])\d{4}(?![\d:])")
# A post's first characters read for a day, its first phrases naming one, and the characters read around each.
_READ, _LOOKS, _AROUND = 2000, 3, 24


def names_a_day(text: str, in_post: bool = False) -> bool:
    """Whether `text` has a phrase that names a day (see the module); `in_post`: numeric dates need `on`, `by`…"""
    if _DAY_PHRASE.search(text):
        return True
    return bool((_NUMERIC_IN_POST if in_post else _NUMERIC_DATE).search(text))


def _numeric(match: re.Match[str], today: date, order: DateOrder) -> date | None:
    """`1/20` (or `20/1`, `20/1/2027`): the order's reading, or the other when only that one is a date."""
    first, second, year_text = match.groups()
    year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    readings = [(int(first), int(second)), (int(second), int(first))]  # (month, day)
    if order == "DMY":
        readings.reverse()
    for month, day in readings:
        try:
            found = date(year or today.year, month, day)
        except ValueError:
            continue
        return found if year or found >= today else _next_year(found)
    return None


def _next_year(day: date) -> date | None:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 Feb
        return None


def _parse(text: str, local_now: datetime, tz: ZoneInfo, order: DateOrder) -> datetime | None:
    import dateparser  # slow to import: only for a text that names a day

    settings: Any = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "DATE_ORDER": order,
        "TIMEZONE": tz.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    found = dateparser.parse(text, languages=["en"], settings=settings)
    return found if isinstance(found, datetime) else None


def read_date(text: str, now: datetime, tz: ZoneInfo, order: DateOrder = "MDY") -> date | None:
    """The day `text` names, read in `tz` at `now` (with a time, like `tomorrow 3pm`, the day); None if it
    names none. Never a past day unless a year is written."""
    text = " ".join(text.split())
    local_now = now.astimezone(tz)
    today = local_now.date()
    numeric = _NUMERIC_DATE.search(text)
    if numeric is not None:
        day = _numeric(numeric, today, order)
        if day is None:
            return None
        text = f"{text[: numeric.start()]}{day.isoformat()}{text[numeric.end() :]}"
    elif not names_a_day(text):
        return None
    found = _parse(text, local_now, tz, order)
    if found is None:
        return None
    day = found.astimezone(tz).date() if found.tzinfo else found.date()
    written = _MONTH_DAY.search(text)
    if written is not None:
        named = int(re.sub(r"\D", "", written.group("md") or written.group("dm")))
        if day.day != named:  # dateparser read `Jan 32` as January 2032
            return None
    if written is not None and not _WRITTEN_YEAR.search(text):
        return _soonest(day, today)
    return day


def _soonest(day: date, today: date) -> date | None:
    """A day and month without a year: the first time it comes, today included."""
    for year in range(today.year, today.year + 5):
        try:
            candidate = day.replace(year=year)
        except ValueError:  # 29 Feb
            continue
        if candidate >= today:
            return candidate
    return None


def date_in(text: str, now: datetime, tz: ZoneInfo, order: DateOrder = "MDY") -> date | None:
    """The first day a post names (see the module), read like `read_date`; None when it names none.

    dateparser's search costs about 0.1 ms a character, so it reads only a few words around each phrase
    found here (the first `_LOOKS` of them, in the first `_READ` characters), never the whole post: a post naming
    no day costs microseconds, one that names a day a few milliseconds."""
    text = text[:_READ]
    hits = sorted([*_DAY_PHRASE.finditer(text), *_NUMERIC_IN_POST.finditer(text)], key=lambda m: m.start())
    # "Webinar next week" names no day: a post gets no date from it (a command's `next week` still reads one).
    hits = [hit for hit in hits if not _VAGUE.fullmatch(hit.group(0))]
    if not hits:  # no dateparser at all for most posts
        return None
    from dateparser.search import search_dates

    settings: Any = {"PREFER_DATES_FROM": "future", "DATE_ORDER": order,
                     "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None)}  # fmt: skip
    for hit in hits[:_LOOKS]:
        around = text[max(0, hit.start() - _AROUND) : hit.end() + _AROUND]
        found = search_dates(around, languages=["en"], settings=settings) or []
        # dateparser's search misses some (`Due tomorrow:`): the phrase found here comes after its own
        phrases = [words for words, _ in found if names_a_day(words, in_post=True)] + [hit.group(0)]
        for words in phrases:
            day = read_date(_without_preposition(words), now, tz, order)
            if day is not None:
                return day
    return None


def _without_preposition(words: str) -> str:
    return re.sub(r"^(?:on|by|until|till|due|before|from)\s+", "", words.strip(), flags=re.IGNORECASE)


def warm_up_dates() -> None:
    """Import dateparser and read one date, off the request path: the first read costs about 200 ms."""
    now, utc = datetime.now(ZoneInfo("UTC")), ZoneInfo("UTC")
    read_date("next Friday", now, utc)
    date_in("A booth at the expo on Jan 20", now, utc)  # dateparser's search loads more on its first use

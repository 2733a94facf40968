"""`calendars:` in the settings file: iCalendar feeds whose events become tasks (`bot.intake.calendars`)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator

from bot.settings.values import Section, list_of, matches, only, poll_every, read_duration, refuse, slack_id

MATCH_WORDS = 20  # at most this many words in `match:`


def web_address(url: str) -> str:
    """A calendar's address as Dibs fetches it: `webcal://` (what calendar apps offer) is read over https."""
    return re.sub(r"^webcals?://", "https://", url.strip(), flags=re.IGNORECASE)


def shown_address(url: str) -> str:
    """A calendar's address as Dibs shows and logs it: its secret parts (a Google `private-…` segment, a long
    random-looking one, the query) as `…`, since whoever has the address reads the calendar."""
    base, query = url.split("?", 1) if "?" in url else (url, "")
    scheme, _, rest = base.partition("://")
    host, *path = rest.split("/")
    secret = re.compile(r"(?i)^private|[A-Za-z0-9_-]{16,}")
    shown = ["…" if secret.search(part) else part for part in path]
    return f"{scheme}://{'/'.join([host, *shown])}" + ("?…" if query else "")


def _horizon(value: object) -> timedelta:
    horizon = read_duration(value)
    if not timedelta(days=1) <= horizon <= timedelta(days=400):
        refuse("look from 1d to 400d ahead")
    return horizon


def _match(value: object) -> tuple[str, ...]:
    words = value or ()
    if isinstance(words, str):
        words = [words]
    if not isinstance(words, list | tuple) or not all(isinstance(w, str) and w.strip() for w in words):
        refuse("expected a list of words, like [offsite, booth]")
    if len(words) > MATCH_WORDS:
        refuse(f"at most {MATCH_WORDS} words")
    return tuple(" ".join(w.split()).lower()[:100] for w in words)


class CalendarSettings(Section):
    """A calendar from the settings file: its iCalendar address, which channel announces its events, as which
    kind, which events (`match`), how often it is read and how far ahead it looks."""

    url: Annotated[
        str,
        only(
            matches(r"(?i)(https?|webcals?)://\S{3,990}"),
            lambda v: f"{v!r} is not a calendar address; write its iCal address, like https://example.com/team.ics",
        ),
        BeforeValidator(lambda v: web_address(v) if isinstance(v, str) else v),
    ]
    channel: Annotated[str, slack_id(r"[CG][A-Z0-9]{2,20}", "channel id", "C0123ABCD")]
    kind: Annotated[  # one of the settings' kinds (Settings checks which)
        str, only(lambda v: isinstance(v, str), lambda v: f"{v!r} is not a kind; write a kind's name, like event")
    ] = "event"
    match: Annotated[tuple[str, ...], BeforeValidator(_match)] = ()  # only events whose title names one (): all
    every: Annotated[timedelta, BeforeValidator(poll_every)] = timedelta(minutes=15)
    horizon: Annotated[timedelta, BeforeValidator(_horizon)] = timedelta(days=90)
    # Its workspace (T…); without one, the bot token's (one workspace).
    team: Annotated[str | None, slack_id(r"T[A-Z0-9]{2,20}", "workspace id", "T0123ABCD", or_none=True)] = None

    @classmethod
    def _completed(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {"url": None, "channel": None, **data}  # left out: refused as what they are not


Calendars = Annotated[
    tuple[CalendarSettings, ...], list_of("calendar entries like {url: https://…/basic.ics, channel: C0123}")
]

"""`/dibs calendars` and `/dibs calendar add URL [KIND] [match WORDS]`, `list`, `remove ID`: a team calendar's
events announced in the channel (see `bot.intake.calendars`)."""

from __future__ import annotations

import re

from bot.settings.calendars import MATCH_WORDS
from bot.slack import commands as cmd
from bot.slack.commands import Command, UsageError
from bot.slack.payloads import clean_text
from bot.slack.text import read_link, unescape

USAGE = (
    "Write `/dibs calendar add URL [KIND] [match WORDS]` (its iCal address), `/dibs calendar remove ID`, or "
    "`/dibs calendars` to list them."
)


def parse_calendar(args: list[str], text: str) -> Command:
    """The words after `/dibs calendar`."""
    action = args[0].lower() if args else ""
    if action in ("list", "") and len(args) <= 1:
        return cmd.ListCalendars()
    if action == "remove" and len(args) == 2:
        found = re.fullmatch(r"#?(\d{1,9})", args[1])
        if found is None:
            raise UsageError("Write `/dibs calendar remove ID`, with the id `/dibs calendars` shows.")
        return cmd.RemoveCalendar(int(found.group(1)))
    if action != "add" or len(args) < 2:
        raise UsageError(USAGE)
    url = read_link(args[1], schemes="[A-Za-z]+")
    rest = args[2:]
    lowered = [word.lower() for word in rest]
    at = lowered.index("match") if "match" in lowered else len(rest)
    kind, words = " ".join(rest[:at]), [clean_text(unescape(w)).strip(",").lower() for w in rest[at + 1 :]]
    words = [w for w in words if w]
    if at < len(rest) and not words:
        raise UsageError("Write the words after `match`, like `/dibs calendar add URL match offsite booth`.")
    if len(words) > MATCH_WORDS or len(kind) > 60:
        raise UsageError(f"Name one kind and at most {MATCH_WORDS} words after `match`.")
    return cmd.AddCalendar(url, kind or "event", tuple(words))

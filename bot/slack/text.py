"""Slack mrkdwn text helpers: escaping what people typed, mentions, links, ages and durations.

The one rule for text a person typed (titles, proof, names, reasons): it is stored as plain text
and escaped where it is shown, with `escape`. Slack reads `<…>` as a mention, a broadcast or a
link, so once `<` and `>` are escaped nothing typed can ping anyone or pose as a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

_WEB_LINK = re.compile(r"https?://[^\s<>|]+")


def escape(text: str) -> str:
    """Text a person typed, made safe to show in mrkdwn or `text`: Slack's `&`, `<`, `>` escapes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's escapes undone: how a person meant text that Slack sent escaped."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_web_link(text: str) -> bool:
    """An http(s) address with nothing Slack would read as markup: the only proof shown as a link."""
    return _WEB_LINK.fullmatch(text) is not None


def proof(text: str) -> str:
    """Proof of done as shown: a link when it is an http(s) address, else plain escaped text."""
    return f"<{escape(text)}>" if is_web_link(text) else escape(text)


def mention(user_id: str) -> str:
    """`<@U123>`: how Slack shows (and notifies) a person."""
    return f"<@{user_id}>"


MOST_NAMED = 10  # people a message names in one list; the rest are counted ("and 488 more")


def people(user_ids: Sequence[str], most: int = MOST_NAMED) -> str:
    """Mentions of several people, comma-separated; past `most`, how many more (a 500-strong waitlist still
    fits a Block Kit section and pings nobody it does not name)."""
    return named([mention(u) for u in user_ids], most)


def named(names: Sequence[str], most: int = MOST_NAMED) -> str:
    """`a, b, c` or, past `most`, `a, b, c and 12 more`."""
    shown = ", ".join(names[:most])
    return f"{shown} and {len(names) - most:,} more" if len(names) > most else shown


def age(since: datetime, now: datetime) -> str:
    """A short age like `5m`, `3h` or `2d`, or `just now`."""
    seconds = max(int((now - since).total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "just now"


def format_duration(duration: timedelta) -> str:
    """A compact duration with its two largest units: `45m`, `3h 20m`, `2d 4h`; under a minute is `<1m`."""
    minutes = max(int(duration.total_seconds()), 0) // 60
    if minutes < 1:
        return "<1m"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"

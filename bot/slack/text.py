"""Slack mrkdwn text helpers: mentions, ages and durations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def mention(user_id: str) -> str:
    """`<@U123>`: how Slack shows (and notifies) a person."""
    return f"<@{user_id}>"


def people(user_ids: Sequence[str]) -> str:
    """Mentions of several people, comma-separated."""
    return ", ".join(mention(u) for u in user_ids)


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

"""Texts of reminders: the poster's DM, due-date pings, and a held-back ping as the morning edition lists it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.slack.text import age, people


def poster_dm_text(task_id: int, title_link: str, channel_id: str, created_at: datetime, now: datetime) -> str:
    """The last step of the ladder: the person who posted it hears that nobody took it."""
    return (
        f"Nobody has taken #{task_id} {title_link} in <#{channel_id}> for {age(created_at, now)}. "
        f"Could you find an owner, or `/dibs assign {task_id} @someone`?"
    )


def posters_dm_text(waiting: Sequence[tuple[int, str, str, datetime]], now: datetime) -> str:
    """Several of the person's follow-ups reached the last step at once: one message naming them all
    (`waiting`: id, linked title, channel, since when)."""
    if len(waiting) == 1:
        return poster_dm_text(*waiting[0], now)
    lines = "\n".join(f"• #{i} {title} in <#{channel}>, {age(since, now)}" for i, title, channel, since in waiting)
    return f"Nobody has taken these follow-ups you posted:\n{lines}\nCould you find owners, or `/dibs assign ID @someone`?"


def due_text(task_id: int, owners: Sequence[str], due_on: date, today: date) -> str:
    """A reminder to the owners before the due date."""
    days = (due_on - today).days
    when = "today" if days <= 0 else "tomorrow" if days == 1 else f"in {days} days"
    return f"{people(owners)}: #{task_id} is due {when} ({due_on:%a %d %b})."

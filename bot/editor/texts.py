"""Short texts: the poster's reminder DM, due-date pings, and the answer to `/dibs feeds`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.settings import Settings
from bot.settings.labels import kind_label
from bot.slack.text import age, escape, format_duration, people
from store.models import Feed


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
    ask = "Could you find owners, or `/dibs assign ID @someone`?"
    return f"Nobody has taken these follow-ups you posted:\n{lines}\n{ask}"


def due_text(task_id: int, owners: Sequence[str], due_on: date, today: date) -> str:
    """A reminder to the owners before the due date."""
    days = (due_on - today).days
    when = "today" if days <= 0 else "tomorrow" if days == 1 else f"in {days} days"
    return f"{people(owners)}: #{task_id} is due {when} ({due_on:%a %d %b})."


def feeds_text(feeds: list[Feed], now: datetime, channel_id: str, settings: Settings | None = None) -> str:
    """`/dibs feeds`: each feed with its kind (its label), how often, and how its last polls went."""
    if not feeds:
        return f"<#{channel_id}> reads no feeds. `/dibs feed add URL` announces a blog's new comments here."
    lines = [f"*Feeds announced in <#{channel_id}>*"]
    for feed in feeds:
        every = format_duration(timedelta(seconds=feed.every_seconds))
        lines.append(f"• {escape(feed.url)} · {kind_label(settings, feed.kind)} · every {every}{polled(feed, now)}")
    return "\n".join(lines)


def polled(feed: Feed, now: datetime) -> str:
    """How a feed's or a calendar's reads went: ` · last read 5m ago · :warning: … (1h ago) · from the settings
    file`."""
    read = f"last read {age(feed.last_success_at, now)} ago" if feed.last_success_at else "not read yet"
    read = "last read just now" if read.endswith("just now ago") else read
    error = ""
    if feed.failures and feed.last_error and feed.last_error_at:
        error = f" · :warning: {escape(feed.last_error)} ({age(feed.last_error_at, now)} ago)"
    return f" · {read}{error}" + (" · from the settings file" if feed.origin == "settings" else "")

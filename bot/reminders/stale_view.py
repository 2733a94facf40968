"""What "still on it?" says: the DM to an owner of a quiet claim (Done, Release, Snooze), the line held
back for the digest when they are over their noise budget, and how the digest lists quiet claims.
Pure functions of data and `now`."""

from __future__ import annotations

from datetime import datetime

from bot.slack.blocks import Message, with_buttons
from bot.slack.ids import ActionId
from bot.slack.text import age, mention
from bot.tasks.model import TaskSnapshot
from bot.tasks.text import linked_title


def days_ago(since: datetime, now: datetime) -> str:
    """`3 days ago`, `a day ago`, or under a day `5h ago` / `just now`."""
    days = (now - since).days
    if days >= 2:
        return f"{days} days ago"
    if days == 1:
        return "a day ago"
    short = age(since, now)
    return short if short == "just now" else f"{short} ago"


def quiet_for(since: datetime, now: datetime) -> str:
    """`quiet for 4 days`, `quiet for 1 day`, or under a day `quiet for 5h`."""
    days = (now - since).days
    if days >= 1:
        return f"quiet for {days} day{'s' if days > 1 else ''}"
    return f"quiet for {age(since, now)}"


def stale_nudge_text(task: TaskSnapshot, took_at: datetime, now: datetime) -> str:
    """`You took #12 Booth in #marketing 3 days ago: still on it?`"""
    return f"You took *#{task.id}* {linked_title(task)} in <#{task.channel_id}> {days_ago(took_at, now)}: still on it?"


def build_stale_nudge(task: TaskSnapshot, took_at: datetime, now: datetime) -> Message:
    """The DM to one owner of a quiet claim, with Done, Release and Snooze (the task id in each value)."""
    text = stale_nudge_text(task, took_at, now)
    return with_buttons(
        text, str(task.id), ("Done", ActionId.DONE), ("Release", ActionId.RELEASE), ("Snooze", ActionId.SNOOZE_STALE)
    )


def held_nudge_text(task: TaskSnapshot, owner: str, took_at: datetime, now: datetime) -> str:
    """The nudge as the digest lists it when the owner was over their noise budget."""
    return f"{mention(owner)} took *#{task.id}* {linked_title(task)} {days_ago(took_at, now)}: still on it?"

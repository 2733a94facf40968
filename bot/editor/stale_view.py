"""What "still on it?" says: the DM to an owner of a quiet claim (Done, Release, Snooze), the line held
back for the digest when they are over their noise budget, and how the digest lists quiet claims.
Pure functions of data and `now`."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block

from bot.editor.words import linked_title
from bot.slack.blocks import Message, section, with_buttons
from bot.slack.ids import ActionId
from bot.slack.text import age, mention
from bot.tasks.model import TaskSnapshot

STALE_BUTTONS = (("Done", ActionId.DONE), ("Release", ActionId.RELEASE), ("Snooze", ActionId.SNOOZE_STALE))
STALE_BLOCK = "dibs_stale_"  # the block id of one task's buttons in a DM about several


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
    return with_buttons(stale_nudge_text(task, took_at, now), str(task.id), *STALE_BUTTONS)


def build_stale_nudges(quiet: list[tuple[TaskSnapshot, datetime]], now: datetime) -> Message:
    """Several of one owner's claims went quiet at once: one DM, each with its own Done, Release and Snooze
    (each row's block id names its task, so answering one leaves the others' buttons)."""
    if len(quiet) == 1:
        return build_stale_nudge(*quiet[0], now)
    blocks: list[Block] = [section("Some of your follow-ups have been quiet for a while: still on them?")]
    for task, took_at in quiet:
        row = with_buttons(stale_nudge_text(task, took_at, now), str(task.id), *STALE_BUTTONS).blocks
        blocks += [row[0], ActionsBlock(block_id=f"{STALE_BLOCK}{task.id}", elements=row[1].elements)]  # type: ignore[attr-defined]
    ids = " and ".join(f"#{task.id}" for task, _ in quiet)
    return Message(text=f"You took {ids} a while ago: still on them?", blocks=blocks)


def held_nudge_text(task: TaskSnapshot, owner: str, took_at: datetime, now: datetime) -> str:
    """The nudge as the digest lists it when the owner was over their noise budget."""
    return f"{mention(owner)} took *#{task.id}* {linked_title(task)} {days_ago(took_at, now)}: still on it?"

"""Texts of reminders: thread nags, the coalesced channel message, the poster's DM, due-date pings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.reminders.policy import Step
from bot.settings import Kind, Settings
from bot.slack.text import age, people


def loudness(step: Step, kind: Kind | None) -> str:
    """Who a reminder calls: nobody extra, then the kind's owner group (or the channel's active members)."""
    if step < Step.MENTION_GROUP:
        return ""
    return f"<!subteam^{kind.owner_group}> " if kind and kind.owner_group else "<!here> "


def nag_text(
    task_id: int, created_at: datetime, now: datetime, step: Step, kind: Kind | None, settings: Settings, free: int = 0
) -> str:
    """A reminder in the task's thread (`free`: an event's seats still free after its roster)."""
    if free:
        seats = f"{free} free seat{'s' if free != 1 else ''}"
        return f"{loudness(step, kind)}#{task_id} still has {seats}. Can you help? `/dibs claim {task_id}` takes one."
    return (
        f"{loudness(step, kind)}#{task_id} is still unclaimed after {age(created_at, now)}. "
        f"Who owns it? React with :{settings.claim_reaction}: or `/dibs claim {task_id}`."
    )


def coalesced_text(lines: Sequence[str], step: Step, kind: Kind | None) -> str:
    """One channel message instead of a burst of thread reminders."""
    need = (
        "still need people"
        if any(line.endswith(("free seat", "free seats")) for line in lines)
        else "are still unclaimed"
    )
    head = f"{loudness(step, kind)}*{len(lines)} follow-ups here {need}.* Who takes them?"
    return "\n".join([head, *lines])


def coalesced_line(task_id: int, kind: str, title_link: str, created_at: datetime, now: datetime, free: int = 0) -> str:
    """One task in the coalesced message: id, kind, linked title, how long it has waited (or, for an event
    after its roster, its free seats)."""
    if free:
        return f"• *#{task_id}* {kind} · {title_link} · {free} free seat{'s' if free != 1 else ''}"
    return f"• *#{task_id}* {kind} · {title_link} · waiting {age(created_at, now)}"


def poster_dm_text(task_id: int, title_link: str, channel_id: str, created_at: datetime, now: datetime) -> str:
    """The last step of the ladder: the person who posted it hears that nobody took it."""
    return (
        f"Nobody has taken #{task_id} {title_link} in <#{channel_id}> for {age(created_at, now)}. "
        f"Could you find an owner, or `/dibs assign {task_id} @someone`?"
    )


def due_text(task_id: int, owners: Sequence[str], due_on: date, today: date) -> str:
    """A reminder to the owners before the due date."""
    days = (due_on - today).days
    when = "today" if days <= 0 else "tomorrow" if days == 1 else f"in {days} days"
    return f"{people(owners)}: #{task_id} is due {when} ({due_on:%a %d %b})."


def folded_line(text: str) -> str:
    """How a ping held back by the noise budget reads in the digest."""
    return f"• {text}"

"""What happens when someone acts on a task, as data: the answer for them and what to tell others.

Handlers call one function here, show `Outcome.reply` to the person who acted, then hand the
outcome to `bot.delivery.notify.publish`, which updates the thread and sends direct messages
after Slack's ack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from slack_sdk import WebClient

from bot.services import Services
from bot.settings import Kind
from bot.slack.text import people
from bot.tasks import service
from bot.tasks.errors import DibsError
from bot.tasks.model import TaskSnapshot
from bot.tasks.text import linked_title
from bot.tasks.views import build_announcement
from store.enums import Via


@dataclass(frozen=True)
class Outcome:
    """The result of one action: `reply` for the actor; `quiet` when the thread update says it all."""

    reply: str
    task: TaskSnapshot | None = None
    quiet: bool = False
    direct_messages: tuple[tuple[str, str], ...] = field(default=())


def date_in(text: str) -> date | None:
    """The first ISO date (2026-12-12) in a text: `/dibs new event Booth 2026-12-12` is due that day."""
    for match in re.finditer(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)", text):
        try:
            return date.fromisoformat(match.group(1))
        except ValueError:
            continue
    return None


def claim(svc: Services, team_id: str, task_id: int, user_id: str, via: Via) -> Outcome:
    """Take a task, or join its waitlist when every slot is taken."""
    result = service.claim_task(svc, team_id, task_id, user_id, via)
    task = result.task
    if result.outcome == "claimed":
        return Outcome(f"You own #{task.id} now: {linked_title(task)}. Thank you!", task, quiet=True)
    if result.outcome == "already_owner":
        return Outcome(f"You already own #{task.id}. `/dibs release {task.id}` lets it go.", None)
    position = task.waitlist.index(user_id) + 1
    line = f"#{task.id} is taken by {people(task.owners)} ({task.slots} of {task.slots} slots)."
    if result.outcome == "already_waiting":
        return Outcome(f"{line} You are already number {position} on the waitlist.", None)
    return Outcome(f"{line} You are number {position} on the waitlist; I'll tell you when a slot frees up.", task)


def release(svc: Services, team_id: str, task_id: int, user_id: str, via: Via) -> Outcome:
    """Let go of a task (or leave its waitlist); the first in line gets the slot."""
    result = service.release_claim(svc, team_id, task_id, user_id, via)
    task = result.task
    if result.outcome == "not_claimed":
        return Outcome(f"You don't own #{task.id} and are not on its waitlist, so there is nothing to release.")
    if result.outcome == "left_waitlist":
        return Outcome(f"You left the waitlist for #{task.id}.", task, quiet=True)
    dms: tuple[tuple[str, str], ...] = ()
    if result.promoted:
        dms = ((result.promoted, f"A slot freed up on #{task.id} {linked_title(task)}: it is yours now."),)
    return Outcome(f"You let go of #{task.id}.", task, quiet=True, direct_messages=dms)


def finish(svc: Services, team_id: str, task_id: int, user_id: str, via: Via, link: str | None) -> Outcome:
    """Mark a task done (with proof where its kind needs it; else NeedsLink)."""
    task = service.complete_task(svc, team_id, task_id, user_id, via, link=link)
    return Outcome(f"#{task.id} is done. Thank you!", task, quiet=True)


def assign(svc: Services, team_id: str, task_id: int, actor: str, target: str, via: Via) -> Outcome:
    """Hand a task over to `target` and tell them."""
    result = service.assign_task(svc, team_id, task_id, actor, target, via)
    task = result.task
    note = f"<@{actor}> handed you #{task.id} {linked_title(task)}."
    gave = " your slot" if result.replaced else ""
    return Outcome(f"You handed{gave} #{task.id} to <@{target}>.", task, direct_messages=((target, note),))


def kind_named(svc: Services, name: str) -> Kind:
    """The kind `/dibs new` asks for, or a DibsError listing the kinds there are."""
    kind = svc.settings.kind(name)
    if kind is None:
        raise DibsError(f"There is no kind `{name}`. Kinds: {', '.join(sorted(svc.settings.kinds))}.")
    return kind


def new_task(
    client: WebClient, svc: Services, team_id: str, channel_id: str, user_id: str, kind: Kind, title: str
) -> Outcome:
    """`/dibs new`: post the announcement in the channel, then open its task."""
    announcement = build_announcement(title, kind.name, user_id)
    posted = client.chat_postMessage(channel=channel_id, **announcement.as_kwargs())  # type: ignore[arg-type]
    task = service.create_task(
        svc,
        service.NewTask(
            team_id=team_id,
            channel_id=channel_id,
            kind=kind.name,
            title=title.strip(),
            slots=kind.slots,
            posted_by=user_id,
            message_ts=str(posted["ts"]),
            source=Via.COMMAND,
            due_on=date_in(title),
        ),
    )
    if task is None:  # cannot happen: Slack gave us a fresh ts
        raise DibsError("That post already has a task.")
    return Outcome(f"Posted #{task.id}; its thread asks who owns it.", task)


def snooze(svc: Services, team_id: str, task_id: int, user_id: str, pause: timedelta) -> Outcome:
    """Pause one task's reminders."""
    task = service.snooze_task(svc, team_id, task_id, user_id, svc.now() + pause)
    until = task.snoozed_until
    assert until is not None
    return Outcome(f"No reminders for #{task.id} until {until:%a %d %b %H:%M} UTC.", task)


def set_due(svc: Services, team_id: str, task_id: int, user_id: str, due_on: date | None) -> Outcome:
    """Give a task a due date (its owners are reminded before it) or clear it."""
    task = service.set_due_date(svc, team_id, task_id, user_id, due_on)
    if due_on is None:
        return Outcome(f"#{task.id} has no due date now.", task)
    days = ", ".join(f"{int(d.total_seconds() // 86400)}d" for d in svc.settings.nag.due_reminders) or "no"
    return Outcome(f"#{task.id} is due {due_on:%a %d %b %Y}; its owners get reminders ({days} before).", task)

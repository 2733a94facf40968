"""What happens when someone acts on a task, as data: the answer for them and what to tell others.

Handlers call one function here, show `Outcome.reply` to the person who acted, then hand the
outcome to `publish`, which updates the thread and sends direct messages after Slack's ack.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from bot import tasks
from bot.channels import is_watched
from bot.classify import classify, title_from
from bot.settings import Kind, Settings
from bot.tasks import DEFAULTS, TaskSnapshot, Via
from bot.threads import sync_thread
from bot.views import build_announcement, linked_title, people
from store.models import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """The result of one action: `reply` for the actor; `quiet` when the thread update says it all."""

    reply: str
    task: TaskSnapshot | None = None
    quiet: bool = False
    direct_messages: tuple[tuple[str, str], ...] = field(default=())


def publish(client: WebClient, db: sessionmaker[Session], settings: Settings, outcome: Outcome) -> None:
    """Update the task's thread and send the outcome's direct messages (call after the ack)."""
    if outcome.task is not None:
        sync_thread(client, db, settings, outcome.task.team_id, outcome.task.id)
    for user_id, text in outcome.direct_messages:
        try:
            client.chat_postMessage(channel=user_id, text=text)
        except SlackClientError as error:
            log.warning("could not send a direct message to %s: %s", user_id, error)


def tell_privately(client: WebClient, channel_id: str, user_id: str, text: str, thread_ts: str | None = None) -> None:
    """An ephemeral note to one person in a channel; failures are logged, never raised."""
    try:
        client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, thread_ts=thread_ts)
    except SlackClientError as error:
        log.warning("could not tell %s privately in %s: %s", user_id, channel_id, error)


def is_new_post(event: dict[str, object]) -> bool:
    """A top-level message typed by a person: not an edit, join, bot post or thread reply."""
    if event.get("subtype") not in (None, "file_share") or event.get("bot_id") or not event.get("user"):
        return False
    thread_ts = event.get("thread_ts")
    return thread_ts is None or thread_ts == event.get("ts")


def task_from_post(
    db: sessionmaker[Session], settings: Settings, team_id: str, event: dict[str, object]
) -> Outcome | None:
    """A task for a marketing post in a watched channel; None for everything else (stay quiet)."""
    text = str(event.get("text") or "")
    channel_id = str(event.get("channel") or "")
    if not is_new_post(event) or not is_watched(db, team_id, channel_id):
        return None
    kind = classify(text, settings.kinds)
    if kind is None:
        return None
    task = tasks.create_task(
        db,
        team_id=team_id,
        channel_id=channel_id,
        kind=kind.name,
        title=title_from(text),
        slots=kind.slots,
        posted_by=str(event["user"]),
        message_ts=str(event["ts"]),
        source="message",
        settings=settings,
    )
    return None if task is None else Outcome(reply="", task=task, quiet=True)


def date_in(text: str) -> date | None:
    """The first ISO date (2026-12-12) in a text: `/dibs new event Booth 2026-12-12` is due that day."""
    for match in re.finditer(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)", text):
        try:
            return date.fromisoformat(match.group(1))
        except ValueError:
            continue
    return None


def _position(task: TaskSnapshot, user_id: str) -> int:
    return task.waitlist.index(user_id) + 1


def claim(
    db: sessionmaker[Session], team_id: str, task_id: int, user_id: str, via: Via, settings: Settings = DEFAULTS
) -> Outcome:
    """Take a task, or join its waitlist when every slot is taken."""
    result = tasks.claim_task(db, team_id, task_id, user_id, via, settings)
    task = result.task
    if result.outcome == "claimed":
        return Outcome(f"You own #{task.id} now: {linked_title(task)}. Thank you!", task, quiet=True)
    if result.outcome == "already_owner":
        return Outcome(f"You already own #{task.id}. `/dibs release {task.id}` lets it go.", None)
    position = _position(task, user_id)
    line = f"#{task.id} is taken by {people(task.owners)} ({task.slots} of {task.slots} slots)."
    if result.outcome == "already_waiting":
        return Outcome(f"{line} You are already number {position} on the waitlist.", None)
    return Outcome(f"{line} You are number {position} on the waitlist; I'll tell you when a slot frees up.", task)


def release(
    db: sessionmaker[Session], team_id: str, task_id: int, user_id: str, via: Via, settings: Settings = DEFAULTS
) -> Outcome:
    """Let go of a task (or leave its waitlist); the first in line gets the slot."""
    result = tasks.release_claim(db, team_id, task_id, user_id, via, settings)
    task = result.task
    if result.outcome == "not_claimed":
        return Outcome(f"You don't own #{task.id} and are not on its waitlist, so there is nothing to release.")
    if result.outcome == "left_waitlist":
        return Outcome(f"You left the waitlist for #{task.id}.", task, quiet=True)
    dms: tuple[tuple[str, str], ...] = ()
    if result.promoted:
        dms = ((result.promoted, f"A slot freed up on #{task.id} {linked_title(task)}: it is yours now."),)
    return Outcome(f"You let go of #{task.id}.", task, quiet=True, direct_messages=dms)


def finish(
    db: sessionmaker[Session],
    settings: Settings,
    team_id: str,
    task_id: int,
    user_id: str,
    via: Via,
    link: str | None,
) -> Outcome:
    """Mark a task done (with proof where its kind needs it; else NeedsLink)."""

    def needs_link(kind_name: str) -> bool:
        kind = settings.kind(kind_name)
        return bool(kind and kind.done_needs_link)

    task = tasks.complete_task(db, team_id, task_id, user_id, via, needs_link=needs_link, link=link)
    return Outcome(f"#{task.id} is done. Thank you!", task, quiet=True)


def assign(
    db: sessionmaker[Session],
    team_id: str,
    task_id: int,
    actor: str,
    target: str,
    via: Via,
    settings: Settings = DEFAULTS,
) -> Outcome:
    """Hand a task over to `target` and tell them."""
    result = tasks.assign_task(db, team_id, task_id, actor, target, via, settings)
    task = result.task
    note = f"<@{actor}> handed you #{task.id} {linked_title(task)}."
    gave = " your slot" if result.replaced else ""
    return Outcome(f"You handed{gave} #{task.id} to <@{target}>.", task, direct_messages=((target, note),))


def kind_named(settings: Settings, name: str) -> Kind:
    """The kind `/dibs new` asks for, or a DibsError listing the kinds there are."""
    kind = settings.kind(name)
    if kind is None:
        raise tasks.DibsError(f"There is no kind `{name}`. Kinds: {', '.join(sorted(settings.kinds))}.")
    return kind


def new_task(
    client: WebClient,
    db: sessionmaker[Session],
    settings: Settings,
    team_id: str,
    channel_id: str,
    user_id: str,
    kind: Kind,
    title: str,
) -> Outcome:
    """`/dibs new`: post the announcement in the channel, then open its task."""
    announcement = build_announcement(title, kind.name, user_id)
    posted = client.chat_postMessage(channel=channel_id, **announcement.as_kwargs())  # type: ignore[arg-type]
    task = tasks.create_task(
        db,
        team_id=team_id,
        channel_id=channel_id,
        kind=kind.name,
        title=title.strip(),
        slots=kind.slots,
        posted_by=user_id,
        message_ts=str(posted["ts"]),
        source="command",
        settings=settings,
        due_on=date_in(title),
    )
    if task is None:  # cannot happen: Slack gave us a fresh ts
        raise tasks.DibsError("That post already has a task.")
    return Outcome(f"Posted #{task.id}; its thread asks who owns it.", task)


def snooze(db: sessionmaker[Session], team_id: str, task_id: int, user_id: str, pause: timedelta) -> Outcome:
    """Pause one task's reminders."""
    task = tasks.snooze_task(db, team_id, task_id, user_id, utcnow() + pause)
    until = task.snoozed_until
    assert until is not None
    return Outcome(f"No reminders for #{task.id} until {until:%a %d %b %H:%M} UTC.", task)


def set_due(
    db: sessionmaker[Session], settings: Settings, team_id: str, task_id: int, user_id: str, due_on: date | None
) -> Outcome:
    """Give a task a due date (its owners are reminded before it) or clear it."""
    task = tasks.set_due_date(db, settings, team_id, task_id, user_id, due_on)
    if due_on is None:
        return Outcome(f"#{task.id} has no due date now.", task)
    days = ", ".join(f"{int(d.total_seconds() // 86400)}d" for d in settings.nag.due_reminders) or "no"
    return Outcome(f"#{task.id} is due {due_on:%a %d %b %Y}; its owners get reminders ({days} before).", task)

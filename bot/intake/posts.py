"""A marketing post in a watched channel becomes a task; everything else stays quiet.

Chatter is decided in memory (the kinds' keywords), with no database work at all; a post that
matches a kind is checked against the watched channels and opened as a task in one transaction,
with the Slack event id, before Slack gets its 200. The courier posts the question after that.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.intake.classify import classify, title_from
from bot.services import Services, Tx
from bot.settings import Kind
from bot.tasks.model import TaskSnapshot
from bot.tasks.service import NewTask, cancel_task, create_task
from store.enums import Via
from store.queries.channels import watched


def is_new_post(event: dict[str, object]) -> bool:
    """A top-level message typed by a person: not an edit, join, bot post or thread reply."""
    if event.get("subtype") not in (None, "file_share") or event.get("bot_id") or not event.get("user"):
        return False
    thread_ts = event.get("thread_ts")
    return thread_ts is None or thread_ts == event.get("ts")


def kind_of_post(svc: Services, event: dict[str, object]) -> Kind | None:
    """The kind a new post is about, or None for everything that should stay quiet (no database)."""
    if not is_new_post(event):
        return None
    return classify(str(event.get("text") or ""), svc.settings.kinds)


def open_task_for_post(tx: Tx, team_id: str, event: dict[str, object], kind: Kind) -> TaskSnapshot | None:
    """In `tx`: the task for a post in a watched channel; None if the channel is not watched or it has one."""
    channel_id = str(event.get("channel") or "")
    channel = watched(tx.session, team_id, channel_id)
    if channel is None:
        return None
    if event.get("channel_type") == "group":  # Slack says it is private: so is every task of it
        channel.private = True
    new = NewTask(
        team_id=team_id,
        channel_id=channel_id,
        kind=kind.name,
        title=title_from(str(event.get("text") or "")),
        slots=kind.slots,
        posted_by=str(event["user"]),
        message_ts=str(event["ts"]),
        source=Via.MESSAGE,
        private=channel.private,
    )
    return create_task(tx, new)


def task_from_post(svc: Services, team_id: str, event: dict[str, object]) -> TaskSnapshot | None:
    """A task for a marketing post in a watched channel; None for everything else (stay quiet)."""
    kind = kind_of_post(svc, event)
    if kind is None:
        return None
    # A post has at most one task (unique per channel and ts), so a retry of this event is already
    # harmless: its id need not be stored.
    with svc.transaction() as tx:
        return open_task_for_post(tx, team_id, event, kind)


def posted_at(ts: str) -> datetime:
    """When a message with this Slack ts was posted."""
    return datetime.fromtimestamp(float(ts), UTC)


def cancel_for_deleted_post(svc: Services, team_id: str, channel_id: str, ts: str) -> TaskSnapshot | None:
    """A deleted post's task is cancelled: its reminders stop, it leaves lists and digests, and its
    thread reply (if Slack kept it) says so. None if the post had no open task."""
    with svc.transaction() as tx:
        return cancel_task(tx, team_id, channel_id, ts, "the post was deleted")

"""A marketing post in a watched channel becomes a task; everything else stays quiet.

Chatter is decided in memory (the kinds' keywords and phrases; those a workspace's admins added are read at
most once a memo's moment, see `bot.memo`), with no write at all; a post that
matches a kind is checked against the watched channels and opened as a task in one transaction,
with the Slack event id, before Slack gets its 200. The courier posts the question after that.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from bot.intake.classify import classify, date_in, title_from
from bot.settings import Kind
from bot.tasks.changes import Announced
from bot.tasks.errors import DibsError
from bot.tasks.model import TaskSnapshot
from bot.tasks.rules import check_due_date
from bot.tasks.service import NewTask, cancel_task, create_task
from bot.tasks.tx import Tx
from bot.timing import local_day
from store.enums import Via
from store.models import Task
from store.queries.channels import watched

if TYPE_CHECKING:
    from bot.services import Services


def poster_of(event: dict[str, Any], accept_bots: frozenset[str]) -> str | None:
    """Who posted a new top-level post Dibs reads: a person, or an integration listed in `accept_bots`.

    None for what stays quiet: edits, joins, thread replies, and posts of any other bot (Dibs's own included).
    """
    thread_ts = event.get("thread_ts")
    if thread_ts is not None and thread_ts != event.get("ts"):
        return None
    bot_id = event.get("bot_id")
    if bot_id:
        app_id = event.get("app_id") or (event.get("bot_profile") or {}).get("app_id")
        accepted = {bot_id, app_id} & accept_bots
        known = event.get("subtype") in (None, "bot_message", "file_share")
        return str(bot_id) if accepted and known else None
    if event.get("subtype") not in (None, "file_share") or not event.get("user"):
        return None
    return str(event["user"])


def words_of(event: dict[str, Any]) -> str:
    """The words Dibs reads in a post: its text, its attachments' pretext, title, text and fallback (where an
    RSS integration or a forwarded message puts them), and its rich-text blocks when it has no text."""
    parts = [str(event.get("text") or "")]
    for attachment in event.get("attachments") or []:
        if isinstance(attachment, dict):
            parts += [str(attachment[k]) for k in ("pretext", "title", "text", "fallback") if attachment.get(k)]
    if not parts[0]:
        parts += list(_rich_text(event.get("blocks") or []))
    unique = list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
    return "\n".join(unique)


def _rich_text(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for child in node:
            yield from _rich_text(child)
    elif isinstance(node, dict):
        if node.get("type") in ("text", "link") and isinstance(node.get("text"), str):
            yield node["text"]
        yield from _rich_text(node.get("elements") or [])


def kind_of_post(svc: Services, event: dict[str, Any], team_id: str) -> Kind | None:
    """The kind a new post is about, or None for everything that should stay quiet (no write; the workspace's
    own phrases come from the bot's memo)."""
    if poster_of(event, svc.settings.accept_bots) is None:
        return None
    return classify(words_of(event), svc.settings_for(team_id).kinds)


def open_task_for_post(tx: Tx, team_id: str, event: dict[str, Any], kind: Kind) -> TaskSnapshot | None:
    """In `tx`: the task for a post in a watched channel; None if the channel is not watched or it has one."""
    channel_id = str(event.get("channel") or "")
    private = _watched_as_private(tx, team_id, channel_id)
    if private is None:
        return None
    if event.get("channel_type") == "group" and not private:  # Slack says it is private: so is every task of it
        row = watched(tx.session, team_id, channel_id)
        if row is not None:
            row.private = private = True
        tx.forget(("watched", team_id, channel_id))
    new = NewTask(
        team_id=team_id,
        channel_id=channel_id,
        kind=kind.name,
        title=title_from(words_of(event)),
        slots=kind.slots,
        posted_by=poster_of(event, tx.settings.accept_bots) or "",
        message_ts=str(event["ts"]),
        source=Via.MESSAGE,
        private=private,
        due_on=_event_day(words_of(event), tx, team_id),
    )
    return create_task(tx, new)


def _watched_as_private(tx: Tx, team_id: str, channel_id: str) -> bool | None:
    """Whether the watched channel is private; None when Dibs does not watch it. A channel found watched is kept
    a moment in the bot's memo (one a post finds unwatched is read again next time)."""

    def read() -> bool | None:
        row = watched(tx.session, team_id, channel_id)
        return None if row is None else row.private

    if tx.memo is None:
        return read()
    return tx.memo.get(("watched", team_id, channel_id), read, keep=lambda private: private is not None)


def _event_day(text: str, tx: Tx, team_id: str) -> date | None:
    """The day a post names (`Jan 20`, `next Friday`, `2026-12-12`), if it is one a due date may be; else none
    (a post is never refused). The thread shows the day understood, so a wrong guess is seen and fixed."""
    settings = tx.settings_for(team_id)
    day = date_in(text, tx.now, settings)
    if day is None:
        return None
    try:
        check_due_date(day, local_day(tx.now, settings))
    except DibsError:
        return None
    return day


def task_from_post(svc: Services, team_id: str, event: dict[str, Any]) -> TaskSnapshot | None:
    """A task for a marketing post in a watched channel; None for everything else (stay quiet)."""
    kind = kind_of_post(svc, event, team_id)
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


def open_announced_task(
    tx: Tx,
    *,
    team_id: str,
    channel_id: str,
    kind: Kind,
    title: str,
    posted_by: str,
    source: Via,
    headline: str | None = None,
    details: str | None = None,
    url: str | None = None,
    due_on: date | None = None,
    private: bool | None = None,
    response_url: str | None = None,
) -> TaskSnapshot:
    """A task announced by Dibs itself (see `Announced`): the task now, its post and then its thread after."""
    if private is None:
        channel = watched(tx.session, team_id, channel_id)
        private = channel.private if channel is not None else channel_id.startswith("G")
    new = NewTask(
        team_id=team_id, channel_id=channel_id, kind=kind.name, title=title_from(title), slots=kind.slots,
        posted_by=posted_by, message_ts=None, source=source, due_on=due_on, private=private,
    )  # fmt: skip
    task = create_task(tx, new)
    assert task is not None  # no post yet, so nothing to collide with
    row = tx.session.get(Task, task.id)
    assert row is not None
    tx.changed(Announced(row, headline, details, url, response_url))
    return task

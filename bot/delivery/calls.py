"""Making one outbox call: lease the row, check it is still wanted (and the channel's pace), call
Slack, record the answer. What to do after a call (store an announcement's ts) or after giving up
(tell the person who asked) depends on the row's purpose.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.orm import Session

from bot.delivery.failures import SENT, SKIPPED, Failure, Result, failure_of, next_try
from bot.delivery.jobs import Job, note
from bot.delivery.outbox import ReplyTo, queue_call, queue_note
from bot.delivery.pacing import reserve_channel
from bot.gifts.imports import download, import_answer
from bot.services import Services, Tx
from bot.tasks.rules import record
from store.enums import NAG_PURPOSES, PostState, Purpose, TaskStatus, Via
from store.models import OutboxPost, Task
from store.queries.channels import is_muted
from store.queries.outbox import lease_post

log = logging.getLogger(__name__)
# Scheduled posts to a channel go out at most one a second (Slack's pace for chat.postMessage).
PACED = (Purpose.NAG, Purpose.NAG_BATCH, Purpose.DUE, Purpose.DIGEST)
CANNOT_POST = "Slack would not let me post here ({error}). Invite me with `/invite @Dibs` and try again."
CANNOT_EXPORT = (
    "I could not send your export: Slack answered {error}. A Slack admin may need to reinstall Dibs "
    "(it needs files:write and im:write)."
)
CANNOT_JOIN = (
    "I could not join <#{channel}> by myself (private channels need an invite): `/invite @Dibs` so I can see its posts."
)


@dataclass(frozen=True)
class Call:
    """One Web API call, read off its outbox row."""

    id: int
    team_id: str
    channel_id: str
    method: str
    kwargs: dict[str, Any]
    purpose: str = ""
    recipient: str | None = None


# Calls whose content is made as they are sent (a chart drawn, a CSV written, a Home tab read, a nominee
# chosen): per purpose, a function that turns the row's arguments into the call, or None when there is
# nothing to send. It may call Slack itself (open a DM, read who is away) and read the database; `now` is
# the courier's moment.
Prepare = Callable[[WebClient, Services, Call, datetime], "Call | None"]


def _call_of(row: OutboxPost) -> Call:
    kwargs: dict[str, Any] = json.loads(row.args) if row.args else {}
    if row.method in ("chat.postMessage", "chat.postEphemeral"):
        kwargs.update(channel=row.channel_id, text=row.text)
        if row.thread_ts:
            kwargs["thread_ts"] = row.thread_ts
        if row.blocks:
            kwargs["blocks"] = json.loads(row.blocks)
        if row.method == "chat.postMessage":
            kwargs.setdefault("unfurl_links", False)
    return Call(row.id, row.team_id, row.channel_id, row.method, kwargs, row.purpose, row.recipient)


def make_call(client: WebClient, call: Call) -> dict[str, Any]:
    """Make the call (each method spelled out, so the manifest test sees every one Dibs uses)."""
    match call.method:
        case "chat.postMessage":
            response = client.chat_postMessage(**call.kwargs)
        case "chat.postEphemeral":
            response = client.chat_postEphemeral(**call.kwargs)
        case "chat.update":
            response = client.chat_update(**call.kwargs)
        case "views.publish":
            response = client.views_publish(**call.kwargs)
        case "views.open":
            response = client.views_open(**call.kwargs)
        case "conversations.join":
            response = client.conversations_join(**call.kwargs)
        case "files.info":
            response = client.files_info(**call.kwargs)
        case "files.upload_v2":
            response = client.files_upload_v2(**call.kwargs)
        case _:
            raise ValueError(f"the outbox cannot make {call.method} calls")
    return dict(response.data) if isinstance(response.data, dict) else {}


def _still_wanted(session: Session, row: OutboxPost) -> bool:
    """A reminder about an unclaimed task (or an event's free seats) is dropped once it is claimed (every seat
    held) or its channel muted; "still on it?" once the task is no longer a claim without a due date."""
    if row.purpose == Purpose.STALE and row.task_id is not None:
        quiet = session.get(Task, row.task_id)
        return quiet is not None and quiet.status == TaskStatus.CLAIMED and quiet.due_on is None
    if row.purpose not in NAG_PURPOSES or row.task_id is None:
        return True
    task = session.get(Task, row.task_id)
    if task is None or task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED) or task.next_nag_at is None:
        return False
    return not is_muted(session, task.team_id, task.channel_id)


def _take(tx: Tx, post_id: int, owner: str, lease: timedelta) -> Call | Result:
    """Lease the row and decide whether it goes now; the call to make, or why not."""
    row = lease_post(tx.session, post_id, owner, tx.now, tx.now + lease)
    if row is None:
        return SKIPPED
    if not _still_wanted(tx.session, row):
        row.state, row.lease_until, row.lease_owner = PostState.CANCELLED, None, None
        return SKIPPED
    if row.purpose in PACED and row.recipient is None:
        slot = reserve_channel(tx.session, row.team_id, row.channel_id, tx.now)
        if slot > tx.now:
            row.send_after, row.lease_until, row.lease_owner = slot, None, None
            return Result("later", until=slot)
    return _call_of(row)


def _nothing_to_send(tx: Tx, post_id: int) -> None:
    row = tx.session.get(OutboxPost, post_id)
    if row is not None:
        row.state, row.lease_until, row.lease_owner = PostState.CANCELLED, None, None


def _sent(tx: Tx, post_id: int, answer: dict[str, Any]) -> None:
    row = tx.session.get(OutboxPost, post_id)
    if row is None:
        return
    row.state, row.sent_at, row.sent_ts = PostState.SENT, tx.now, answer.get("ts")
    row.lease_until = row.lease_owner = None
    if row.purpose == Purpose.ANNOUNCE and row.task_id is not None and answer.get("ts"):
        task = tx.session.get(Task, row.task_id)
        if task is not None and task.message_ts is None:
            task.message_ts = str(answer["ts"])  # the task lives under it now: its thread follows
            note(tx.session, Job("thread", task.id, task.team_id, task.channel_id))
    if row.purpose == Purpose.IMPORT and "csv" in answer:
        import_answer(tx, row, str(answer["csv"]))


def _gave_up(tx: Tx, row: OutboxPost, failure: Failure) -> str | None:
    """Record that a row will never go; returns what to tell the person who asked, if anyone."""
    row.state = PostState.FAILED
    if row.purpose == Purpose.ANNOUNCE and row.task_id is not None:
        task = tx.session.get(Task, row.task_id)
        if task is not None and task.message_ts is None and task.status == TaskStatus.OPEN:
            task.status, task.next_nag_at = TaskStatus.CANCELLED, None
            record(tx, task, "schedule", "cancelled", Via.SCHEDULE, detail=failure.error)
        return CANNOT_POST.format(error=failure.error)
    if row.purpose == Purpose.JOIN:
        return CANNOT_JOIN.format(channel=row.channel_id)
    if row.purpose == Purpose.EXPORT:
        return CANNOT_EXPORT.format(error=failure.error)
    no_scope = failure.error.startswith("missing_scope")
    if row.purpose == Purpose.CALENDAR and row.method == "files.upload_v2" and no_scope:
        # Without files:write (or im:write) the owner still gets the entry: its words and Google Calendar link.
        queue_call(
            tx, team_id=row.team_id, channel_id=row.channel_id, recipient=row.recipient, purpose=Purpose.CALENDAR,
            task_id=row.task_id, args=json.loads(row.args or "{}"), dedupe_key=f"{row.dedupe_key}:text",
        )  # fmt: skip
        return None
    if row.purpose == Purpose.MODAL and row.recipient and row.text:
        queue_note(tx, ReplyTo(row.team_id, row.channel_id, row.recipient), row.text)
        return None
    return CANNOT_POST.format(error=failure.error) if row.response_url else None


def _failed(tx: Tx, post_id: int, failure: Failure) -> tuple[Result, str | None, str | None]:
    """Record a failed attempt: (what became of it, a notice for the asker, where to send it)."""
    row = tx.session.get(OutboxPost, post_id)
    if row is None:
        return SKIPPED, None, None
    row.attempts += 1
    row.last_error = failure.error[:200]
    row.lease_until = row.lease_owner = None
    if failure.permanent:
        gave_up = Result("gave_up", failure=failure, what=f"a {row.purpose} ({row.method})")
        return gave_up, _gave_up(tx, row, failure), row.response_url
    row.send_after = next_try(tx.now, row.attempts, failure)
    log.info("%s to %s failed (%s); trying again at %s", row.method, row.channel_id, failure.error, row.send_after)
    return Result("later", until=row.send_after, failure=failure), None, None


def tell_asker(response_url: str, text: str) -> None:
    """Post a private answer to a slash command's response_url (best effort: it may have expired)."""
    try:
        WebhookClient(response_url, timeout=5).send(text=text, response_type="ephemeral", replace_original=False)
    except (SlackClientError, OSError) as error:
        log.info("could not answer at the response_url: %s", error)


def send_post(
    client: WebClient,
    svc: Services,
    post_id: int,
    owner: str,
    now: datetime,
    lease: timedelta,
    prepared: Mapping[str, Prepare] | None = None,
) -> Result:
    """Make one outbox call, if it is still due and still wanted (made as it is sent, where `prepared` says)."""
    with svc.transaction(now=now) as tx:
        taken = _take(tx, post_id, owner, lease)
    if isinstance(taken, Result):
        return taken
    try:
        prepare = (prepared or {}).get(taken.purpose)
        call = prepare(client, svc, taken, now) if prepare is not None else taken
        if call is None:
            with svc.transaction(now=now) as tx:
                _nothing_to_send(tx, post_id)
            return SKIPPED
        answer = make_call(client, call)
        if taken.method == "files.info":  # a CSV of gift recipients: read it now, import it below
            answer["csv"] = download(client, answer)
    except (SlackApiError, SlackClientError, OSError) as error:
        with svc.transaction(now=now) as tx:
            result, notice, url = _failed(tx, post_id, failure_of(error))
        if notice and url:
            tell_asker(url, notice)
        return result
    with svc.transaction(now=now) as tx:
        _sent(tx, post_id, answer)
    return SENT  # the courier looks again once this conversation's jobs are done

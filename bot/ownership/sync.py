"""Keep each task's thread reply telling the truth, even when Slack fails for a while.

Every change bumps `tasks.version`; the reply shows `tasks.thread_version`. The courier finds
tasks whose reply is behind and calls `push_thread`, which leases the task (one process at a
time), posts the reply the first time or updates it, and records which version it now shows.
If the last holder of the lease died mid-call, Slack may already have the reply: it is looked
up (by the metadata Dibs puts on it) before posting, so a crash never doubles a question.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.delivery.failures import SENT, SKIPPED, Failure, Result, failure_of, next_try
from bot.ownership.links import Permalinks
from bot.ownership.view import build_ownership_message
from bot.reminders.policy import local_day
from bot.services import Services, Tx
from bot.slack.blocks import Message
from bot.tasks.model import TaskSnapshot, snapshot
from bot.tasks.routing import kind_for
from store.models import Task
from store.queries.gifts import gift_counts
from store.queries.tasks import lease_thread, thread_shown

log = logging.getLogger(__name__)
METADATA_TYPE = "dibs_task"


def metadata_for(task_id: int) -> dict[str, Any]:
    """What Dibs attaches to a thread reply, so the reply can be found again by its task."""
    return {"event_type": METADATA_TYPE, "event_payload": {"task_id": task_id}}


def find_reply(client: WebClient, task: TaskSnapshot) -> str | None:
    """The ts of Dibs's reply to this task already in the thread, if a crashed process posted one."""
    assert task.message_ts is not None
    answer = client.conversations_replies(channel=task.channel_id, ts=task.message_ts, include_all_metadata=True)
    for message in answer.get("messages") or []:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == METADATA_TYPE and (meta.get("event_payload") or {}).get("task_id") == task.id:
            return str(message["ts"])
    return None


def _render(tx: Tx, task: TaskSnapshot) -> Message:
    """The reply as it should read now: the kind as routed in this workspace, a campaign's gift counts."""
    kind = kind_for(tx.session, tx.settings, task.team_id, task.kind)
    gifts = gift_counts(tx.session, task.id) if task.kind == "gift_campaign" else None
    here = tx.settings_for(task.team_id)
    return build_ownership_message(task, kind, here, local_day(tx.now, here), gifts or None)


def _push(client: WebClient, task: TaskSnapshot, message: Message, reply_ts: str | None) -> str:
    """Post (first time) or update the reply; returns its ts."""
    if reply_ts:
        client.chat_update(channel=task.channel_id, ts=reply_ts, **message.as_kwargs())  # type: ignore[arg-type]
        return reply_ts
    response = client.chat_postMessage(
        channel=task.channel_id,
        thread_ts=task.message_ts,
        unfurl_links=False,
        metadata=metadata_for(task.id),
        **message.as_kwargs(),  # type: ignore[arg-type]
    )
    return str(response["ts"])


def _record(svc: Services, task_id: int, now: datetime, shown: int, reply_ts: str, permalink: str | None) -> None:
    with svc.transaction(now=now) as tx:
        thread_shown(tx.session, task_id, shown, reply_ts, permalink)


def _record_failure(svc: Services, task_id: int, now: datetime, failure: Failure, reply_ts: str | None) -> Result:
    with svc.transaction(now=now) as tx:
        task = tx.session.get(Task, task_id)
        if task is None:
            return SKIPPED
        task.reply_ts = task.reply_ts or reply_ts
        task.thread_attempts += 1
        task.thread_error = failure.error[:200]
        task.thread_lease_owner = None
        if failure.permanent:  # this version will never show; a later change tries again
            task.thread_version, task.thread_lease_until = task.version, None
            return Result("gave_up", failure=failure, what=f"the thread reply of task #{task_id}")
        task.thread_lease_until = next_try(tx.now, task.thread_attempts, failure)
        log.info("thread reply of task #%s failed (%s); trying again", task_id, failure.error)
        return Result("later", until=task.thread_lease_until, failure=failure)


def push_thread(
    client: WebClient, svc: Services, task_id: int, owner: str, now: datetime, lease: timedelta, links: Permalinks
) -> Result:
    """Bring task `task_id`'s thread reply up to date, if nobody else is at it."""
    with svc.transaction(now=now) as tx:
        leased, orphaned = lease_thread(tx.session, task_id, owner, now, now + lease)
        task_row = tx.session.get(Task, task_id) if leased else None
        task = snapshot(task_row) if task_row is not None else None
        message = _render(tx, task) if task is not None else None
    if task is None or message is None:
        return SKIPPED
    reply_ts = task.reply_ts
    assert task.message_ts is not None
    permalink = task.permalink or links.of(client, task.team_id, task.channel_id, task.message_ts)
    try:
        if reply_ts is None and orphaned:
            reply_ts = find_reply(client, task)
        reply_ts = _push(client, task, message, reply_ts)
    except (SlackApiError, SlackClientError, OSError) as error:
        return _record_failure(svc, task_id, now, failure_of(error), reply_ts)
    _record(svc, task_id, now, task.version, reply_ts, permalink)
    return SENT

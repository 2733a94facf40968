"""Scheduled posts: recorded in the database before they are sent, sent once, retried until Slack takes them.

Several Dibs processes may run these functions at the same time on one PostgreSQL database:
rows are claimed with `FOR UPDATE SKIP LOCKED` and a lease, so each post goes out once.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from bot.delivery.pacing import reserve_channel
from bot.services import Services
from bot.slack.blocks import TEXT_LIMIT
from store.enums import NAG_PURPOSES, PostState, Purpose, TaskStatus
from store.models import OutboxPost, Task
from store.queries import outbox as queries
from store.queries.channels import is_muted

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
BATCH = 20
DEDUPE_KEY_LIMIT = 120


def queue_post(
    session: Session,
    now: datetime,
    *,
    team_id: str,
    channel_id: str,
    text: str,
    purpose: Purpose,
    dedupe_key: str,
    task_id: int | None = None,
    thread_ts: str | None = None,
    recipient: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    state: PostState = PostState.PENDING,
) -> bool:
    """Record a post to send; a second one with the same `dedupe_key` is ignored."""
    return queries.add_post(
        session,
        team_id=team_id,
        channel_id=channel_id,
        text=text[:TEXT_LIMIT],
        purpose=purpose,
        dedupe_key=dedupe_key[:DEDUPE_KEY_LIMIT],
        task_id=task_id,
        thread_ts=thread_ts,
        recipient=recipient,
        blocks=json.dumps(blocks) if blocks else None,
        state=state,
        created_at=now,
        send_after=now,
        attempts=0,
    )


def _still_wanted(session: Session, row: OutboxPost) -> bool:
    """A reminder about an unclaimed task is dropped once the task is claimed or its channel muted.

    (Claims, completions and snoozes also cancel queued reminders themselves.)
    """
    if row.purpose not in NAG_PURPOSES or row.task_id is None:
        return True
    task = session.get(Task, row.task_id)
    if task is None or task.status != TaskStatus.OPEN:
        return False
    return not is_muted(session, task.team_id, task.channel_id)


def _prepare(svc: Services, post_id: int, now: datetime) -> dict[str, Any] | None:
    """Check the post is still wanted and its channel free; the arguments for chat.postMessage, or None."""
    with svc.db.begin() as session:
        row = queries.lock_post(session, post_id)
        if row.state != PostState.PENDING:
            return None
        if not _still_wanted(session, row):
            row.state, row.lease_until = PostState.CANCELLED, None
            return None
        if row.recipient is None or row.channel_id != row.recipient:  # channel posts are paced; DMs are not
            slot = reserve_channel(session, row.team_id, row.channel_id, now)
            if slot > now:
                row.send_after, row.lease_until = slot, None
                return None
        kwargs: dict[str, Any] = {"channel": row.channel_id, "text": row.text, "unfurl_links": False}
        if row.thread_ts:
            kwargs["thread_ts"] = row.thread_ts
        if row.blocks:
            kwargs["blocks"] = json.loads(row.blocks)
        return kwargs


def _finish(svc: Services, post_id: int, now: datetime, ts: str | None, error: str | None) -> None:
    with svc.db.begin() as session:
        row = session.get(OutboxPost, post_id)
        if row is None:
            return
        row.lease_until = None
        if error is None:
            row.state, row.sent_at, row.sent_ts = PostState.SENT, now, ts
            return
        row.attempts += 1
        row.last_error = error[:200]
        row.send_after = now + min(timedelta(seconds=5 * 2**row.attempts), timedelta(minutes=10))


def _lease_batch(svc: Services, now: datetime) -> list[int]:
    with svc.db.begin() as session:
        return queries.lease_due_posts(session, now, now + LEASE, BATCH)


def _next_send_after(svc: Services) -> datetime | None:
    with svc.db.begin() as session:
        return queries.next_send_after(session)


def _send_one(client: WebClient, svc: Services, post_id: int, now: datetime) -> bool:
    kwargs = _prepare(svc, post_id, now)
    if kwargs is None:
        return False
    try:
        response = client.chat_postMessage(**kwargs)
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("scheduled post %s failed, will retry: %s", post_id, error)
        _finish(svc, post_id, now, None, str(error))
        return False
    _finish(svc, post_id, now, str(response.get("ts")), None)
    return True


def send_due_posts(
    client: WebClient, svc: Services, now: datetime, limit: int = 500, linger: timedelta = timedelta(seconds=5)
) -> int:
    """Send what is due at `now` in the outbox; a failed post is retried later with backoff. Returns posts sent.

    Posts held back by a channel's one-per-second pace are waited for (on the clock), up to
    `linger` past `now`; time spent here moves `now` on.
    """
    started = svc.now()

    def current() -> datetime:
        return now + (svc.now() - started)

    sent = handled = 0
    while handled < limit:
        batch = _lease_batch(svc, current())
        if not batch:
            upcoming = _next_send_after(svc)
            if upcoming is None or upcoming > now + linger:
                break
            svc.clock.sleep(max((upcoming - current()).total_seconds(), 0.05))
            continue
        for post_id in batch:
            handled += 1
            sent += _send_one(client, svc, post_id, current())
    return sent

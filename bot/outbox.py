"""Scheduled posts: recorded in the database before they are sent, sent once, retried until Slack takes them.

Several Dibs processes may run these functions at the same time on one PostgreSQL database:
rows are claimed with `FOR UPDATE SKIP LOCKED` and a lease, so each post goes out once.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot.tasks import NAG_PURPOSES
from store.models import (
    CANCELLED_POST,
    OPEN,
    PENDING,
    SENT,
    ChannelPace,
    OutboxPost,
    PingCount,
    Task,
    WatchedChannel,
    utcnow,
)

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
# Slack allows about one message per second per channel.
CHANNEL_GAP = timedelta(seconds=1)
BATCH = 20


def insert_ignore(session: Session, model: type[Any], **values: Any) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True if the row is new (the caller won the race)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    result = session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]


def queue_post(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    text: str,
    purpose: str,
    dedupe_key: str,
    task_id: int | None = None,
    thread_ts: str | None = None,
    recipient: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    state: str = PENDING,
) -> bool:
    """Record a post to send; a second one with the same `dedupe_key` is ignored."""
    return insert_ignore(
        session,
        OutboxPost,
        team_id=team_id,
        channel_id=channel_id,
        text=text[:3900],
        purpose=purpose,
        dedupe_key=dedupe_key[:120],
        task_id=task_id,
        thread_ts=thread_ts,
        recipient=recipient,
        blocks=json.dumps(blocks) if blocks else None,
        state=state,
        created_at=utcnow(),
        send_after=utcnow(),
        attempts=0,
    )


def take_ping(session: Session, team_id: str, user_id: str, day: date, cap: int) -> bool:
    """Count one ping of `user_id` today if they are under the daily cap; False if they are not."""
    insert_ignore(session, PingCount, team_id=team_id, user_id=user_id, day=day, count=0)
    result = session.execute(
        update(PingCount)
        .where(PingCount.team_id == team_id, PingCount.user_id == user_id, PingCount.day == day, PingCount.count < cap)
        .values(count=PingCount.count + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _reserve_channel(session: Session, team_id: str, channel_id: str, now: datetime) -> datetime:
    """Book the channel's next one-second slot: `now` if free (booked), else when it frees up."""
    insert_ignore(session, ChannelPace, team_id=team_id, channel_id=channel_id, next_post_at=now)
    pace = session.scalars(
        select(ChannelPace)
        .where(ChannelPace.team_id == team_id, ChannelPace.channel_id == channel_id)
        .with_for_update()
    ).one()
    if pace.next_post_at > now:
        return pace.next_post_at
    pace.next_post_at = now + CHANNEL_GAP
    return now


def _lease_batch(db: sessionmaker[Session], now: datetime) -> list[int]:
    with db.begin() as session:
        rows = session.scalars(
            select(OutboxPost)
            .where(
                OutboxPost.state == PENDING,
                OutboxPost.send_after <= now,
                or_(OutboxPost.lease_until.is_(None), OutboxPost.lease_until < now),
            )
            .order_by(OutboxPost.send_after, OutboxPost.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.lease_until = now + LEASE
        return [row.id for row in rows]


def _still_wanted(session: Session, row: OutboxPost) -> bool:
    """A reminder about an unclaimed task is dropped once the task is claimed or its channel muted.

    (Claims, completions and snoozes also cancel queued reminders themselves.)
    """
    if row.purpose not in NAG_PURPOSES or row.task_id is None:
        return True
    task = session.get(Task, row.task_id)
    if task is None or task.status != OPEN:
        return False
    watched = session.get(WatchedChannel, {"team_id": task.team_id, "channel_id": task.channel_id})
    return not (watched and watched.muted)


def _prepare(db: sessionmaker[Session], post_id: int, now: datetime) -> dict[str, Any] | None:
    """Check the post is still wanted and its channel free; the arguments for chat.postMessage, or None."""
    with db.begin() as session:
        row = session.scalars(select(OutboxPost).where(OutboxPost.id == post_id).with_for_update()).one()
        if row.state != PENDING:
            return None
        if not _still_wanted(session, row):
            row.state, row.lease_until = CANCELLED_POST, None
            return None
        if row.recipient is None or row.channel_id != row.recipient:  # channel posts are paced; DMs are not
            slot = _reserve_channel(session, row.team_id, row.channel_id, now)
            if slot > now:
                row.send_after, row.lease_until = slot, None
                return None
        kwargs: dict[str, Any] = {"channel": row.channel_id, "text": row.text, "unfurl_links": False}
        if row.thread_ts:
            kwargs["thread_ts"] = row.thread_ts
        if row.blocks:
            kwargs["blocks"] = json.loads(row.blocks)
        return kwargs


def _finish(db: sessionmaker[Session], post_id: int, ts: str | None, error: str | None) -> None:
    with db.begin() as session:
        row = session.get(OutboxPost, post_id)
        if row is None:
            return
        row.lease_until = None
        if error is None:
            row.state, row.sent_at, row.sent_ts = SENT, utcnow(), ts
            return
        row.attempts += 1
        row.last_error = error[:200]
        row.send_after = utcnow() + min(timedelta(seconds=5 * 2**row.attempts), timedelta(minutes=10))


def _next_send_after(db: sessionmaker[Session]) -> datetime | None:
    with db.begin() as session:
        return session.scalar(select(func.min(OutboxPost.send_after)).where(OutboxPost.state == PENDING))


def send_due_posts(
    client: WebClient, db: sessionmaker[Session], limit: int = 500, linger: timedelta = timedelta(seconds=5)
) -> int:
    """Send what is due in the outbox; a failed post is retried later with backoff. Returns posts sent.

    Posts held back by a channel's one-per-second pace are waited for, up to `linger` past the start.
    """
    sent = 0
    handled = 0
    deadline = utcnow() + linger
    while handled < limit:
        batch = _lease_batch(db, utcnow())
        if not batch:
            upcoming = _next_send_after(db)
            if upcoming is None or upcoming > deadline:
                break
            time.sleep(max((upcoming - utcnow()).total_seconds(), 0.05))
            continue
        for post_id in batch:
            handled += 1
            kwargs = _prepare(db, post_id, utcnow())
            if kwargs is None:
                continue
            try:
                response = client.chat_postMessage(**kwargs)
            except (SlackApiError, SlackClientError, OSError) as error:
                log.warning("scheduled post %s failed, will retry: %s", post_id, error)
                _finish(db, post_id, None, str(error))
                continue
            _finish(db, post_id, str(response.get("ts")), None)
            sent += 1
    return sent

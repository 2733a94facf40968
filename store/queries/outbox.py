"""The outbox of scheduled posts, the per-channel pace and the per-person noise budget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.orm import Session

from store.enums import NAG_PURPOSES, PostState, Purpose
from store.models import ChannelPace, OutboxPost, PingCount, Task
from store.queries.common import insert_ignore, insert_ignore_returning, rows_changed
from store.queries.workspaces import still_installed


def add_post(session: Session, **values: object) -> int | None:
    """Insert an outbox row; its id, or None when one with the same dedupe key exists."""
    found = insert_ignore_returning(session, OutboxPost, OutboxPost.id, **values)
    return int(found) if found is not None else None


# What a row's hooks read once it has ended (see `finish_post`).
ENDED_COLUMNS = (
    OutboxPost.id, OutboxPost.team_id, OutboxPost.channel_id, OutboxPost.purpose, OutboxPost.method,
    OutboxPost.task_id, OutboxPost.recipient, OutboxPost.thread_ts, OutboxPost.response_url, OutboxPost.text,
    OutboxPost.args, OutboxPost.dedupe_key,
)  # fmt: skip


def finish_post(session: Session, post_id: int, state: PostState, now: datetime, sent_ts: str | None) -> Any:
    """End a pending row (sent, or cancelled: nothing to send) in one statement; the row's fields its hooks read
    (`ENDED_COLUMNS`), or None when it was no longer pending (called off meanwhile)."""
    table = cast(Table, OutboxPost.__table__)  # a plain UPDATE: no objects of this session to keep in step
    return session.execute(
        update(table)
        .where(table.c.id == post_id, table.c.state == PostState.PENDING)
        .values(
            state=state, sent_at=now if state == PostState.SENT else None, sent_ts=sent_ts, lease_until=None,
            lease_owner=None,
        )
        .returning(*(table.c[column.key] for column in ENDED_COLUMNS))
    ).first()  # fmt: skip


def cancel_pending_nags(session: Session, task_id: int) -> None:
    """Call off reminders about a task that are queued but not yet sent."""
    session.execute(
        update(OutboxPost)
        .where(
            OutboxPost.task_id == task_id,
            OutboxPost.state == PostState.PENDING,
            OutboxPost.purpose.in_(NAG_PURPOSES),
        )
        .values(state=PostState.CANCELLED)
    )


def cancel_waiting_homes(session: Session, team_id: str, user_id: str) -> None:
    """Call off the person's Home tabs that are queued and not yet being drawn (a newer one replaces them)."""
    session.execute(
        update(OutboxPost)
        .where(
            OutboxPost.team_id == team_id,
            OutboxPost.recipient == user_id,
            OutboxPost.purpose == Purpose.HOME,
            OutboxPost.state == PostState.PENDING,
            OutboxPost.lease_owner.is_(None),
        )
        .values(state=PostState.CANCELLED)
    )


def waiting_post(session: Session, team_id: str, recipient: str, purpose: str, task_id: int) -> OutboxPost | None:
    """The person's row of this purpose about this task that waits to go and nobody holds, locked; or None."""
    return session.scalars(
        select(OutboxPost)
        .where(
            OutboxPost.team_id == team_id,
            OutboxPost.recipient == recipient,
            OutboxPost.purpose == purpose,
            OutboxPost.task_id == task_id,
            OutboxPost.state == PostState.PENDING,
            OutboxPost.lease_owner.is_(None),
        )
        .order_by(OutboxPost.id)
        .limit(1)
        .with_for_update()
    ).first()


def count_ping(session: Session, team_id: str, user_id: str, day: date, cap: int) -> bool:
    """Count one ping of `user_id` on `day` if they are under `cap`; False if they are not."""
    insert_ignore(session, PingCount, team_id=team_id, user_id=user_id, day=day, count=0)
    result = session.execute(
        update(PingCount)
        .where(PingCount.team_id == team_id, PingCount.user_id == user_id, PingCount.day == day, PingCount.count < cap)
        .values(count=PingCount.count + 1)
    )
    return bool(rows_changed(result))


def pings_on(session: Session, team_id: str, user_ids: Sequence[str], day: date) -> dict[str, int]:
    """How often each of these people was pinged on `day`."""
    rows = session.execute(
        select(PingCount.user_id, PingCount.count).where(
            PingCount.team_id == team_id, PingCount.day == day, PingCount.user_id.in_(list(user_ids))
        )
    ).all()
    return {user_id: count for user_id, count in rows}


def lock_channel_pace(session: Session, team_id: str, channel_id: str, now: datetime) -> ChannelPace:
    """The channel's pace row (created free at `now` if new), locked for the transaction."""
    insert_ignore(session, ChannelPace, team_id=team_id, channel_id=channel_id, next_post_at=now)
    return session.scalars(
        select(ChannelPace)
        .where(ChannelPace.team_id == team_id, ChannelPace.channel_id == channel_id)
        .with_for_update()
    ).one()


def next_send_after(session: Session) -> datetime | None:
    """When the earliest pending post falls due (in a workspace that has not uninstalled Dibs)."""
    return session.scalar(
        select(func.min(OutboxPost.send_after)).where(
            OutboxPost.state == PostState.PENDING, still_installed(OutboxPost.team_id)
        )
    )


def folded_posts_in_channel(session: Session, team_id: str, channel_id: str) -> list[OutboxPost]:
    """Pings held back by the noise budget for tasks of this channel, oldest first, locked."""
    return list(
        session.scalars(
            select(OutboxPost)
            .join(Task, OutboxPost.task_id == Task.id)
            .where(Task.team_id == team_id, Task.channel_id == channel_id, OutboxPost.state == PostState.FOLDED)
            .order_by(OutboxPost.id)
            .with_for_update(of=OutboxPost)
        ).all()
    )


def due_posts(session: Session, now: datetime, limit: int) -> list[tuple[int, str, str]]:
    """(id, team, conversation) of pending posts due at `now` that nobody holds, oldest first."""
    rows = session.execute(
        select(OutboxPost.id, OutboxPost.team_id, OutboxPost.channel_id)
        .where(
            OutboxPost.state == PostState.PENDING,
            OutboxPost.send_after <= now,
            or_(OutboxPost.lease_until.is_(None), OutboxPost.lease_until < now),
        )
        .order_by(OutboxPost.send_after, OutboxPost.id)
        .limit(limit)
    ).all()
    return [(post_id, team_id, channel_id) for post_id, team_id, channel_id in rows]


def lease_post(session: Session, post_id: int, owner: str, now: datetime) -> OutboxPost | None:
    """One pending post, locked, that `owner` may lease now (its lease is free, or `owner`'s own); None if it was
    sent, called off or is held by someone else. The caller sets the lease (and sees who held it last)."""
    row = session.scalars(
        select(OutboxPost)
        .where(
            OutboxPost.id == post_id,
            OutboxPost.state == PostState.PENDING,
            or_(OutboxPost.lease_until.is_(None), OutboxPost.lease_until < now, OutboxPost.lease_owner == owner),
        )
        .with_for_update(skip_locked=True)
    ).one_or_none()
    return row


def renew_post_leases(session: Session, owner: str, now: datetime, until: datetime) -> int:
    """Keep the live leases of `owner` (a running process) from running out."""
    result = session.execute(
        update(OutboxPost)
        .where(OutboxPost.lease_owner == owner, OutboxPost.lease_until >= now, OutboxPost.state == PostState.PENDING)
        .values(lease_until=until)
    )
    return rows_changed(result)


def release_post_leases(session: Session, owner: str, ids: Sequence[int] | None = None) -> int:
    """Hand back every lease `owner` holds (or those on the posts `ids`), so the posts can be taken again."""
    held = [OutboxPost.lease_owner == owner, OutboxPost.state == PostState.PENDING]
    if ids is not None:
        held.append(OutboxPost.id.in_(ids))
    result = session.execute(update(OutboxPost).where(*held).values(lease_until=None, lease_owner=None))
    return rows_changed(result)


def lease_owners(session: Session) -> set[str]:
    """The processes that hold leases on pending posts."""
    return set(
        session.scalars(
            select(OutboxPost.lease_owner)
            .where(OutboxPost.lease_owner.is_not(None), OutboxPost.state == PostState.PENDING)
            .distinct()
        )
    )


def expire_post_leases(session: Session, owner: str, now: datetime) -> int:
    """End `owner`'s leases now but keep its name on them: whoever takes a post next knows it was orphaned."""
    result = session.execute(
        update(OutboxPost).where(OutboxPost.lease_owner == owner, OutboxPost.lease_until > now).values(lease_until=now)
    )
    return rows_changed(result)

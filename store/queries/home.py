"""Queries behind the App Home tab: one person's tasks, the unclaimed ones in their channels, who to refresh."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session, selectinload

from store.enums import ACTIVE, PostState, Purpose, TaskStatus
from store.models import Claim, HomeView, OutboxPost, Task, WatchedChannel
from store.queries.common import insert_ignore
from store.queries.tasks import count_and_list, visible_from


def my_tasks(session: Session, team_id: str, user_id: str, today: date, limit: int) -> tuple[Sequence[Task], int]:
    """Open tasks the person owns or waits for: overdue first, then oldest first."""
    mine = select(Claim.task_id).where(Claim.user_id == user_id)
    overdue = case((Task.due_on < today, 0), else_=1)
    query = (
        select(Task)
        .options(selectinload(Task.claims))
        .where(Task.team_id == team_id, Task.status.in_(ACTIVE), Task.id.in_(mine))
        .order_by(overdue, Task.created_at, Task.id)
    )
    return count_and_list(query, session, limit)


def unclaimed_in(
    session: Session, team_id: str, user_id: str, channels: Collection[str] | None, limit: int
) -> tuple[Sequence[Task], int]:
    """Unclaimed tasks of watched channels among `channels` (None: every watched channel), oldest first.

    A private channel's task shows only to the people on it, as everywhere outside its channel.
    """
    watched = select(WatchedChannel.channel_id).where(WatchedChannel.team_id == team_id)
    query = (
        select(Task)
        .options(selectinload(Task.claims))
        .where(
            Task.team_id == team_id,
            Task.status == TaskStatus.OPEN,
            Task.channel_id.in_(watched),
            visible_from(None, user_id),
        )
    )
    if channels is not None:
        query = query.where(Task.channel_id.in_(list(channels)))
    return count_and_list(query.order_by(Task.created_at, Task.id), session, limit)


def posted_by(session: Session, team_id: str, user_id: str, limit: int) -> tuple[Sequence[Task], int]:
    """Open tasks the person posted and is not on themselves (owning or waiting): what they wait on, oldest first."""
    theirs = select(Claim.task_id).where(Claim.user_id == user_id)
    query = (
        select(Task)
        .options(selectinload(Task.claims))
        .where(Task.team_id == team_id, Task.status.in_(ACTIVE), Task.posted_by == user_id, Task.id.not_in(theirs))
        .order_by(Task.created_at, Task.id)
    )
    return count_and_list(query, session, limit)


def finished_by(
    session: Session, team_id: str, user_id: str, since: datetime, limit: int
) -> tuple[Sequence[Task], int]:
    """Tasks done since `since` that the person finished or owned, newest first."""
    owned = select(Claim.task_id).where(Claim.user_id == user_id)
    query = (
        select(Task)
        .options(selectinload(Task.claims))
        .where(
            Task.team_id == team_id,
            Task.status == TaskStatus.DONE,
            Task.done_at >= since,
            or_(Task.done_by == user_id, Task.id.in_(owned)),
        )
        .order_by(Task.done_at.desc(), Task.id.desc())
    )
    return count_and_list(query, session, limit)


def watched_channels(session: Session, team_id: str) -> set[str]:
    """Every channel Dibs watches in the workspace."""
    return set(session.scalars(select(WatchedChannel.channel_id).where(WatchedChannel.team_id == team_id)))


def opened_home(session: Session, team_id: str, user_id: str, now: datetime) -> None:
    """Remember that the person opened the Home tab now."""
    if not insert_ignore(session, HomeView, team_id=team_id, user_id=user_id, opened_at=now):
        session.execute(
            update(HomeView).where(HomeView.team_id == team_id, HomeView.user_id == user_id).values(opened_at=now)
        )


def home_users(session: Session, team_id: str) -> dict[str, datetime]:
    """Who ever opened Dibs's Home tab in the workspace, and when they last did."""
    rows = session.execute(select(HomeView.user_id, HomeView.opened_at).where(HomeView.team_id == team_id))
    return {user_id: opened_at for user_id, opened_at in rows}


def homes_waiting(session: Session, team_id: str, user_ids: Collection[str]) -> set[str]:
    """Of these people, whose Home tab is queued and not yet being drawn (a new one would add nothing)."""
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(OutboxPost.recipient).where(
                OutboxPost.team_id == team_id,
                OutboxPost.purpose == Purpose.HOME,
                OutboxPost.state == PostState.PENDING,
                OutboxPost.lease_owner.is_(None),
                OutboxPost.recipient.in_(list(user_ids)),
            )
        )
    )

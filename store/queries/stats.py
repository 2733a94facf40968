"""Queries behind `/dibs stats`, the weekly numbers in the digest, the Home tab's summary and `dibs export`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from store.enums import ACTIVE, ClaimRole, TaskStatus
from store.models import Claim, Task, TaskEvent
from store.queries.tasks import visible_from

# Audit actions that make their actor an owner (a seat taken, given from the line, or a swap accepted);
# `assigned` names the new owner in `detail`, `taken_over` as `from>to`.
BECAME_OWNER = ("claimed", "promoted", "swapped")


class TaskFacts(NamedTuple):
    """What the numbers need of one task (no claims loaded)."""

    id: int
    channel_id: str
    kind: str
    title: str
    permalink: str | None
    status: TaskStatus
    created_at: datetime
    claimed_at: datetime | None
    done_at: datetime | None
    due_on: date | None


def scope(team_id: str, channel_id: str | None, seen_from: str | None) -> ColumnElement[bool]:
    """One channel's tasks (asked for in that channel), or (channel None) every task of the workspace that
    can be seen from `seen_from` (None: the public ones)."""
    if channel_id is not None:
        return and_(Task.team_id == team_id, Task.channel_id == channel_id)
    return and_(Task.team_id == team_id, visible_from(seen_from))


def facts_between(
    session: Session, where: ColumnElement[bool], since: datetime, until: datetime, since_day: date
) -> list[TaskFacts]:
    """Tasks that did something in [since, until), or had a date in it, or were still waiting for an owner."""
    touched = or_(
        Task.created_at >= since,
        Task.claimed_at >= since,
        Task.done_at >= since,
        Task.due_on >= since_day,
        Task.status == TaskStatus.OPEN,
        and_(Task.status == TaskStatus.CLAIMED, Task.claimed_at >= since),
    )
    rows = session.execute(
        select(
            Task.id, Task.channel_id, Task.kind, Task.title, Task.permalink, Task.status,
            Task.created_at, Task.claimed_at, Task.done_at, Task.due_on,
        ).where(where, Task.created_at < until, touched)
    ).all()  # fmt: skip
    return [TaskFacts._make(row) for row in rows]


def cancelled_at(session: Session, task_ids: Sequence[int]) -> dict[int, datetime]:
    """When each of these tasks was cancelled (those that were)."""
    found: dict[int, datetime] = {}
    for chunk in _chunks(task_ids):
        rows = session.execute(
            select(TaskEvent.task_id, func.max(TaskEvent.at))
            .where(TaskEvent.task_id.in_(chunk), TaskEvent.action == "cancelled")
            .group_by(TaskEvent.task_id)
        ).all()
        found.update({task_id: at for task_id, at in rows})
    return found


def reminders_before_claim(session: Session, task_ids: Sequence[int]) -> dict[int, int]:
    """How many reminders each of these tasks got before its first claim."""
    found: dict[int, int] = {}
    for chunk in _chunks(task_ids):
        rows = session.execute(
            select(TaskEvent.task_id, func.count())
            .join(Task, Task.id == TaskEvent.task_id)
            .where(TaskEvent.task_id.in_(chunk), TaskEvent.action == "reminded", TaskEvent.at <= Task.claimed_at)
            .group_by(TaskEvent.task_id)
        ).all()
        found.update({task_id: count for task_id, count in rows})
    return found


def owners_taken(session: Session, where: ColumnElement[bool], since: datetime, until: datetime) -> list[str]:
    """Everyone who became an owner in [since, until), once per time (claimed, promoted, handed a task)."""
    rows = session.execute(
        select(TaskEvent.action, TaskEvent.actor, TaskEvent.detail)
        .join(Task, Task.id == TaskEvent.task_id)
        .where(
            where,
            TaskEvent.team_id == Task.team_id,
            TaskEvent.at >= since,
            TaskEvent.at < until,
            TaskEvent.action.in_((*BECAME_OWNER, "assigned", "taken_over")),
        )
    ).all()
    return [_new_owner(action, actor, detail) for action, actor, detail in rows if actor or detail]


def _new_owner(action: str, actor: str, detail: str | None) -> str:
    if action == "assigned":
        return str(detail)
    if action == "taken_over":
        return str(detail).partition(">")[2]
    return actor


def claims_per_person(session: Session, team_id: str, since: datetime, people: Sequence[str] = ()) -> dict[str, int]:
    """How often each person became an owner in the workspace since `since` (of `people`, if given)."""
    taken = owners_taken(session, Task.team_id == team_id, since, datetime.max.replace(tzinfo=since.tzinfo))
    counts: dict[str, int] = {person: 0 for person in people}
    for person in taken:
        if not people or person in counts:
            counts[person] = counts.get(person, 0) + 1
    return counts


def recent_claimers(session: Session, team_id: str, channel_id: str, since: datetime) -> list[str]:
    """The people who took a task in this channel since `since`, most recent first."""
    rows = session.execute(
        select(TaskEvent.actor, func.max(TaskEvent.at))
        .join(Task, Task.id == TaskEvent.task_id)
        .where(
            Task.team_id == team_id,
            Task.channel_id == channel_id,
            TaskEvent.at >= since,
            TaskEvent.action.in_(BECAME_OWNER),
        )
        .group_by(TaskEvent.actor)
        .order_by(func.max(TaskEvent.at).desc())
    ).all()
    return [actor for actor, _ in rows]


def actors_of(session: Session, task_id: int, action: str) -> list[str]:
    """Who did `action` on a task (everyone who said "Not me", say), in order."""
    return list(
        session.scalars(
            select(TaskEvent.actor)
            .where(TaskEvent.task_id == task_id, TaskEvent.action == action)
            .order_by(TaskEvent.id)
        )
    )


def tasks_for_export(session: Session, where: ColumnElement[bool] | None, since: datetime | None) -> list[Task]:
    """Tasks (matching `where`, created or changed since `since`) with their claims, by workspace and id."""
    query = select(Task).options(selectinload(Task.claims)).order_by(Task.team_id, Task.id)
    if where is not None:
        query = query.where(where)
    if since is not None:
        changed = select(TaskEvent.task_id).where(TaskEvent.at >= since)
        query = query.where(or_(Task.created_at >= since, Task.id.in_(changed)))
    return list(session.scalars(query))


def events_of(session: Session, task_ids: Sequence[int]) -> dict[int, list[TaskEvent]]:
    """The audit trail of each of these tasks, oldest first."""
    found: dict[int, list[TaskEvent]] = {}
    for chunk in _chunks(task_ids):
        for event in session.scalars(
            select(TaskEvent).where(TaskEvent.task_id.in_(chunk)).order_by(TaskEvent.task_id, TaskEvent.id)
        ):
            found.setdefault(event.task_id, []).append(event)
    return found


def active_count(session: Session, where: ColumnElement[bool]) -> int:
    """How many tasks matching `where` are open or claimed."""
    return session.scalar(select(func.count()).where(where, Task.status.in_(ACTIVE))) or 0


def unclaimed_since(session: Session, where: ColumnElement[bool], before: datetime) -> int:
    """How many tasks matching `where` have waited for an owner since before `before`."""
    return (
        session.scalar(select(func.count()).where(where, Task.status == TaskStatus.OPEN, Task.created_at < before)) or 0
    )


def owners_of(session: Session, task_ids: Sequence[int]) -> dict[int, list[str]]:
    """The owners of each of these tasks, in the order they took it."""
    found: dict[int, list[str]] = {}
    for chunk in _chunks(task_ids):
        rows = session.execute(
            select(Claim.task_id, Claim.user_id)
            .where(Claim.task_id.in_(chunk), Claim.role == ClaimRole.OWNER)
            .order_by(Claim.id)
        ).all()
        for task_id, user_id in rows:
            found.setdefault(task_id, []).append(user_id)
    return found


def _chunks(ids: Sequence[int], size: int = 500) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]

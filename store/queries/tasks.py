"""Queries about tasks and the people on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, case, func, or_, select, union_all, update
from sqlalchemy.orm import Session, selectinload

from store.enums import ACTIVE, ClaimRole, TaskStatus
from store.models import Claim, Task
from store.queries.common import rows_changed
from store.queries.workspaces import still_installed

ListFilter = Literal["open", "unclaimed", "mine", "all"]


def lock_task(session: Session, team_id: str, task_id: int) -> Task | None:
    """Load a task with its claims and lock its row for the transaction (FOR UPDATE / BEGIN IMMEDIATE)."""
    return session.scalars(
        select(Task)
        .options(selectinload(Task.claims))
        .where(Task.team_id == team_id, Task.id == task_id)
        .with_for_update(of=Task, key_share=True)  # FOR NO KEY UPDATE: rows that refer to it may still be added
        .execution_options(populate_existing=True)  # read again under the lock, even if this session had it
    ).one_or_none()


HEAD_COLUMNS = (Task.id, Task.team_id, Task.kind, Task.channel_id, Task.private, Task.status, Task.slots, Task.roles)


def task_head(session: Session, team_id: str, task_id: int) -> Task | None:
    """What a claim is checked against (where the task lives, its kind, status and seats), unlocked and without its
    claims (a hot task may have hundreds): a detached `Task` holding only those columns."""
    row = session.execute(_HEAD, {"team_id": team_id, "task_id": task_id}).first()
    return Task(**{column.key: value for column, value in zip(HEAD_COLUMNS, row, strict=True)}) if row else None


_HEAD = select(*HEAD_COLUMNS).where(Task.team_id == bindparam("team_id"), Task.id == bindparam("task_id"))


def load_task(session: Session, team_id: str, task_id: int) -> Task | None:
    """A task of this workspace with its claims, unlocked."""
    return session.scalars(
        select(Task).options(selectinload(Task.claims)).where(Task.team_id == team_id, Task.id == task_id)
    ).one_or_none()


def visible_from(channel_id: str | None, user_id: str | None = None) -> ColumnElement[bool]:
    """Tasks someone may see from `channel_id`: public ones, and a private channel's own tasks there.

    Outside any channel (`channel_id` None: App Home) a private task shows only to the people on it.
    """
    if channel_id is not None:
        return or_(Task.private.is_(False), Task.channel_id == channel_id)
    if user_id is None:
        return Task.private.is_(False)
    theirs = select(Claim.task_id).where(Claim.user_id == user_id)
    return or_(Task.private.is_(False), Task.posted_by == user_id, Task.id.in_(theirs))


def active_task_ids(session: Session, team_id: str, limit: int, seen_from: str | None = None) -> list[int]:
    """The lowest ids of a workspace's open and claimed tasks that can be seen from `seen_from`."""
    return list(
        session.scalars(
            select(Task.id)
            .where(Task.team_id == team_id, Task.status.in_(ACTIVE), visible_from(seen_from))
            .order_by(Task.id)
            .limit(limit)
        )
    )


def task_id_by_ts(session: Session, team_id: str, channel_id: str, ts: str) -> int | None:
    """The task whose original post or whose thread reply has this ts (reactions carry only that): two lookups,
    each on its own index, rather than one OR that reads every task of the channel."""
    here = (Task.team_id == team_id, Task.channel_id == channel_id)
    return session.scalars(
        union_all(
            select(Task.id).where(*here, Task.message_ts == ts), select(Task.id).where(*here, Task.reply_ts == ts)
        ).limit(1)
    ).first()


def task_id_by_post(session: Session, team_id: str, channel_id: str, message_ts: str) -> int | None:
    """The task that lives under the post `message_ts` (not its thread reply)."""
    return session.scalars(
        select(Task.id).where(Task.team_id == team_id, Task.channel_id == channel_id, Task.message_ts == message_ts)
    ).first()


def _list_query(
    team_id: str, which: ListFilter, user_id: str, seen_from: str | None, kind: str | None = None
) -> Select[Task]:
    query = (
        select(Task).options(selectinload(Task.claims)).where(Task.team_id == team_id, visible_from(seen_from, user_id))
    )
    if kind is not None:
        query = query.where(Task.kind == kind)
    if which == "unclaimed":
        return query.where(Task.status == TaskStatus.OPEN).order_by(Task.created_at, Task.id)
    if which == "mine":
        mine = select(Claim.task_id).where(Claim.user_id == user_id)
        return query.where(Task.status.in_(ACTIVE), Task.id.in_(mine)).order_by(Task.created_at, Task.id)
    if which == "all":
        return query.order_by(Task.id.desc())
    return query.where(Task.status.in_(ACTIVE)).order_by(Task.created_at, Task.id)


def count_and_list(query: Select[Task], session: Session, limit: int) -> tuple[Sequence[Task], int]:
    """The first `limit` rows of `query` with their claims, and how many rows it has in all."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return session.scalars(query.limit(limit)).all(), total


def list_tasks(
    session: Session,
    team_id: str,
    which: ListFilter,
    user_id: str,
    limit: int,
    seen_from: str | None,
    kind: str | None = None,
) -> tuple[Sequence[Task], int]:
    """Tasks for `/dibs list` (seen from its channel) and App Home (`seen_from` None), and how many in all."""
    return count_and_list(_list_query(team_id, which, user_id, seen_from, kind), session, limit)


def tasks_in_channel(
    session: Session, team_id: str, channel_id: str, *conditions: ColumnElement[bool], order: Any, limit: int
) -> tuple[Sequence[Task], int]:
    """A channel's tasks matching `conditions` in `order` (first `limit`), and how many in all."""
    query = (
        select(Task)
        .options(selectinload(Task.claims))
        .where(Task.team_id == team_id, Task.channel_id == channel_id, *conditions)
        .order_by(order, Task.id)
    )
    return count_and_list(query, session, limit)


def claim_times_since(session: Session, where: ColumnElement[bool], since: datetime) -> list[tuple[datetime, datetime]]:
    """(created, first claimed) of the tasks matching `where` first claimed since `since`."""
    rows = session.execute(select(Task.created_at, Task.claimed_at).where(where, Task.claimed_at >= since)).all()
    return [(created, claimed) for created, claimed in rows if claimed is not None]


def _lock_due(session: Session, due_at: Any, *conditions: ColumnElement[bool], limit: int) -> list[Task]:
    """Tasks whose `due_at` has come, soonest first, locked; rows another process holds are skipped."""
    return list(
        session.scalars(
            select(Task)
            .options(selectinload(Task.claims))
            .where(*conditions)
            .order_by(due_at, Task.id)  # the clock's own index gives this order: no scan of all tasks
            .limit(limit)
            .with_for_update(skip_locked=True, of=Task, key_share=True)
        ).all()
    )


def lock_tasks_to_nag(session: Session, now: datetime, limit: int) -> list[Task]:
    """Unclaimed tasks (and, after their roster, events with free seats) whose next reminder is due at `now`,
    locked (not in workspaces that uninstalled Dibs)."""
    conditions = (Task.status.in_(ACTIVE), still_installed(Task.team_id))
    return _lock_due(session, Task.next_nag_at, Task.next_nag_at <= now, *conditions, limit=limit)


def lock_tasks_with_due_steps(session: Session, now: datetime, limit: int) -> list[Task]:
    """Open or claimed tasks whose next due-date step (a reminder, turning overdue) is at `now`, locked."""
    conditions = (Task.status.in_(ACTIVE), still_installed(Task.team_id))
    return _lock_due(session, Task.next_due_at, Task.next_due_at <= now, *conditions, limit=limit)


def lock_tasks_with_expired_offers(session: Session, now: datetime, limit: int) -> list[Task]:
    """Open or claimed tasks holding a seat for someone whose offer ran out at `now`, locked."""
    expired = select(Claim.task_id).where(Claim.role == ClaimRole.OFFERED, Claim.offered_until <= now)
    conditions = (Task.id.in_(expired), Task.status.in_(ACTIVE), still_installed(Task.team_id))
    return _lock_due(session, Task.id, *conditions, limit=limit)


def lock_tasks_for_roster(session: Session, now: datetime, limit: int) -> list[Task]:
    """Open or claimed tasks whose roster is due at `now`, locked."""
    conditions = (Task.roster_at <= now, Task.status.in_(ACTIVE), still_installed(Task.team_id))
    return _lock_due(session, Task.roster_at, *conditions, limit=limit)


def lock_quiet_claims(session: Session, now: datetime, limit: int) -> list[Task]:
    """Tasks whose owners are due to be asked "still on it?" at `now`, locked (not in workspaces that
    uninstalled Dibs). Any status: the planner clears the clock of one that is no longer a quiet claim."""
    return _lock_due(
        session, Task.stale_nudge_at, Task.stale_nudge_at <= now, still_installed(Task.team_id), limit=limit
    )


def quiet_claims_without_clock(session: Session, after_id: int, limit: int) -> list[Task]:
    """Claimed tasks without a due date and without a "still on it?" clock, by id from `after_id`: the claims
    that went quiet while `nag.stale_claim_after` was off."""
    query = (
        select(Task)
        .where(
            Task.status == TaskStatus.CLAIMED,
            Task.due_on.is_(None),
            Task.stale_nudge_at.is_(None),
            Task.id > after_id,
            still_installed(Task.team_id),
        )
        .order_by(Task.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def recent_active_stamps(session: Session, since: datetime) -> list[tuple[str, int, str, str | None, str | None]]:
    """(team, id, channel, post ts, reply ts) of open and claimed tasks created since `since` (in workspaces
    that have not uninstalled Dibs)."""
    rows = session.execute(
        select(Task.team_id, Task.id, Task.channel_id, Task.message_ts, Task.reply_ts).where(
            Task.status.in_(ACTIVE), Task.created_at >= since, still_installed(Task.team_id)
        )
    ).all()
    return [(team, task_id, channel, ts, reply) for team, task_id, channel, ts, reply in rows]


def set_task_fields(session: Session, task_id: int, **values: Any) -> None:
    """Store values on a task without loading it (a reply's ts, a permalink)."""
    session.execute(update(Task).where(Task.id == task_id).values(**values))


def newest_post_ts(session: Session, team_id: str, channel_id: str) -> str | None:
    """The ts of the newest post in a channel that has a task."""
    stamps = session.scalars(
        select(Task.message_ts)
        .where(Task.team_id == team_id, Task.channel_id == channel_id, Task.message_ts.is_not(None))
        .order_by(Task.id.desc())
        .limit(50)
    ).all()
    return max(stamps, key=float, default=None)  # type: ignore[arg-type]


def thread_shown(session: Session, task_id: int, shown: int | None, reply_ts: str | None, permalink: str | None) -> Any:
    """The thread reply shows version `shown` now (None: the task's version as it is, given up on), its ts and the
    post's link stored, and no row stands for it: one statement, which waits for a change in flight (the row
    lock). Returns (version, thread_version), or None for a task that is gone."""
    table = cast(Table, Task.__table__)  # a plain UPDATE: no objects of this session to keep in step
    t = table.c
    return session.execute(
        update(table)
        .where(t.id == task_id)
        .values(
            thread_queued=False,
            reply_ts=func.coalesce(reply_ts, t.reply_ts),
            permalink=func.coalesce(t.permalink, permalink),
            thread_version=(
                t.version if shown is None else case((t.thread_version < shown, shown), else_=t.thread_version)
            ),
        )
        .returning(t.version, t.thread_version)
    ).first()


def team_of_task(session: Session, task_id: int) -> str | None:
    """The workspace a task belongs to (for the command line, which knows only the id)."""
    return session.scalar(select(Task.team_id).where(Task.id == task_id))


def replan_due_dates(session: Session, team_id: str, now: datetime) -> int:
    """Make the due-date steps of a workspace's open and claimed tasks due now, so the next tick plans them
    again (after its time zone or working hours changed); returns how many tasks."""
    result = session.execute(
        update(Task)
        .where(
            Task.team_id == team_id, Task.status.in_(ACTIVE), Task.due_on.is_not(None), Task.next_due_at.is_not(None)
        )
        .values(next_due_at=now)
    )
    return rows_changed(result)

"""Queries behind retention: which closed tasks are old enough to forget, and forgetting them with every row
that refers to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, ColumnElement, Table, and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from store.enums import PostState, TaskStatus
from store.models import Base, OutboxPost, Task, TaskEvent
from store.queries.common import rows_changed

# Rows that stand on their own and only let go of the task: an external key keeps a feed item or a webhook's
# external_id from becoming a task again; a gift's follow-up link is set to NULL by its foreign key anyway.
DETACHED = frozenset({("external_keys", "task_id"), ("gift_recipients", "followup_task_id")})


def closed_before(horizon: datetime) -> ColumnElement[bool]:
    """Done before `horizon` (a done task without its moment: created before it), or cancelled before it (the
    audit trail's `cancelled`; one without that record: created before it)."""
    cancelled_since = exists().where(
        TaskEvent.task_id == Task.id, TaskEvent.action == "cancelled", TaskEvent.at >= horizon
    )
    done = and_(
        Task.status == TaskStatus.DONE,
        or_(Task.done_at < horizon, and_(Task.done_at.is_(None), Task.created_at < horizon)),
    )
    cancelled = and_(Task.status == TaskStatus.CANCELLED, Task.created_at < horizon, ~cancelled_since)
    return or_(done, cancelled)


def lock_closed_before(session: Session, horizon: datetime, limit: int) -> list[int]:
    """The ids of up to `limit` tasks (lowest first) closed before `horizon`, locked for deleting; rows another
    process holds are skipped (FOR UPDATE SKIP LOCKED on PostgreSQL). A task with a Slack call still owed (a
    pending outbox row) waits until it is made."""
    owed = exists().where(OutboxPost.task_id == Task.id, OutboxPost.state == PostState.PENDING)
    return list(
        session.scalars(
            select(Task.id)
            .where(closed_before(horizon), ~owed)
            .order_by(Task.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Task)
        )
    )


def task_references() -> list[tuple[Table, Column[object]]]:
    """Every column of Dibs's tables that refers to a task, children before parents."""
    tasks = Base.metadata.tables["tasks"]
    return [
        (table, fk.parent)
        for table in reversed(Base.metadata.sorted_tables)
        for fk in table.foreign_keys
        if fk.references(tasks)
    ]


def forget_tasks(session: Session, task_ids: Sequence[int]) -> dict[str, int]:
    """Delete these tasks and every row that refers to them (claims, audit trail, outbox rows, undos, swaps,
    claim requests, tracked phrases, a campaign's gift recipients); rows in `DETACHED` only let go of them.
    Returns how many rows went from each table (tables with none left out)."""
    if not task_ids:
        return {}
    ids = list(task_ids)
    gone: dict[str, int] = {}
    for table, column in task_references():
        if (table.name, column.name) in DETACHED:
            session.execute(update(table).where(column.in_(ids)).values({column.name: None}))
        else:
            gone[table.name] = rows_changed(session.execute(delete(table).where(column.in_(ids))))
    tasks = Base.metadata.tables["tasks"]
    gone["tasks"] = rows_changed(session.execute(delete(tasks).where(tasks.c.id.in_(ids))))
    return {name: count for name, count in gone.items() if count}

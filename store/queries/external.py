"""Keys of things outside Slack that became tasks (a feed item's GUID, a webhook's external_id), gift webhooks
already handled, and gift platforms' batches linked to a campaign."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from store.models import ExternalKey
from store.queries.common import insert_ignore


def known(session: Session, team_id: str, key: str) -> tuple[bool, int | None]:
    """(seen before, its task id): a key seen without a task (a feed's first poll) has no task."""
    row = session.get(ExternalKey, {"team_id": team_id, "key": key})
    return (row is not None, row.task_id if row is not None else None)


def remember(session: Session, team_id: str, key: str, task_id: int | None, now: datetime) -> bool:
    """Record a key (with the task it became); False if another process recorded it first."""
    return insert_ignore(session, ExternalKey, team_id=team_id, key=key, task_id=task_id, created_at=now)


def known_keys(session: Session, team_id: str, keys: list[str]) -> set[str]:
    """Which of `keys` were seen before."""
    if not keys:
        return set()
    found = session.scalars(select(ExternalKey.key).where(ExternalKey.team_id == team_id, ExternalKey.key.in_(keys)))
    return set(found)


def point(session: Session, team_id: str, key: str, task_id: int, now: datetime) -> int | None:
    """Make `key` stand for `task_id` (a gift platform's batch linked to a campaign); the task it stood for before."""
    row = session.get(ExternalKey, {"team_id": team_id, "key": key}, with_for_update=True)
    if row is None:
        session.add(ExternalKey(team_id=team_id, key=key, task_id=task_id, created_at=now))
        session.flush()
        return None
    before, row.task_id = row.task_id, task_id
    return before


def keyed_tasks(session: Session, team_id: str, prefix: str) -> set[int]:
    """The tasks that keys starting with `prefix` stand for."""
    rows = session.scalars(
        select(ExternalKey.task_id).where(
            ExternalKey.team_id == team_id, ExternalKey.key.startswith(prefix, autoescape=True),
            ExternalKey.task_id.is_not(None),
        )
    )  # fmt: skip
    return {task_id for task_id in rows if task_id is not None}


def keys_of_task(session: Session, team_id: str, task_id: int, prefixes: Iterable[str]) -> list[str]:
    """The keys starting with any of `prefixes` that stand for the task, in order."""
    starts = [ExternalKey.key.startswith(prefix, autoescape=True) for prefix in prefixes]
    if not starts:
        return []
    rows = session.scalars(
        select(ExternalKey.key).where(
            ExternalKey.team_id == team_id, ExternalKey.task_id == task_id, or_(*starts)
        ).order_by(ExternalKey.key)
    )  # fmt: skip
    return list(rows)

"""A gift campaign's recipients."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.enums import FINISHED, GiftState
from store.models import GiftRecipient, Task
from store.queries.common import rows_changed


def add_recipients(session: Session, team_id: str, task_id: int, rows: list[dict[str, Any]], now: datetime) -> int:
    """Add recipients to a campaign (a name already there is kept as it is); returns how many are new."""
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = [
        {**row, "team_id": team_id, "task_id": task_id, "state": GiftState.PENDING, "updated_at": now} for row in rows
    ]
    result = session.execute(
        insert(GiftRecipient).values(values).on_conflict_do_nothing(), execution_options={"preserve_rowcount": True}
    )
    return rows_changed(result)


def recipient(session: Session, task_id: int, name_key: str) -> GiftRecipient | None:
    """The campaign's recipient with this (folded) name, locked."""
    return session.scalars(
        select(GiftRecipient)
        .where(GiftRecipient.task_id == task_id, GiftRecipient.name_key == name_key)
        .with_for_update()
    ).one_or_none()


def recipient_by_id(session: Session, task_id: int, recipient_id: int) -> GiftRecipient | None:
    """The campaign's recipient with this id, locked."""
    return session.scalars(
        select(GiftRecipient)
        .where(GiftRecipient.task_id == task_id, GiftRecipient.id == recipient_id)
        .with_for_update()
    ).one_or_none()


def recipient_by_email(session: Session, task_id: int, email: str) -> GiftRecipient | None:
    """The campaign's first recipient with this email (in any case), locked."""
    return session.scalars(
        select(GiftRecipient)
        .where(GiftRecipient.task_id == task_id, func.lower(GiftRecipient.email) == email.lower())
        .order_by(GiftRecipient.id)
        .limit(1)
        .with_for_update()
    ).one_or_none()


def open_campaigns(session: Session, team_id: str, kind: str, limit: int = 2) -> list[int]:
    """The ids of the workspace's open tasks of `kind` (the gift campaigns), at most `limit`."""
    query = select(Task.id).where(Task.team_id == team_id, Task.kind == kind, Task.status.not_in(FINISHED))
    return list(session.scalars(query.order_by(Task.id).limit(limit)))


def recipients(session: Session, task_id: int, state: GiftState | None = None) -> list[GiftRecipient]:
    """The campaign's recipients in the order they were added (only those in `state`, if given)."""
    query = select(GiftRecipient).where(GiftRecipient.task_id == task_id)
    if state is not None:
        query = query.where(GiftRecipient.state == state)
    return list(session.scalars(query.order_by(GiftRecipient.id)))


def gift_counts(session: Session, task_id: int) -> Counter[str]:
    """How many recipients are pending, delivered and missed."""
    return Counter(str(s) for s in session.scalars(select(GiftRecipient.state).where(GiftRecipient.task_id == task_id)))


def still_open(session: Session, task_id: int) -> list[str]:
    """Names that keep a campaign from being done: pending, or missed with a follow-up not yet done."""
    followup = select(Task.id).where(Task.id == GiftRecipient.followup_task_id, Task.status.in_(FINISHED))
    rows = session.scalars(
        select(GiftRecipient.name)
        .where(
            GiftRecipient.task_id == task_id,
            (GiftRecipient.state == GiftState.PENDING)
            | ((GiftRecipient.state == GiftState.MISSED) & ~followup.exists()),
        )
        .order_by(GiftRecipient.id)
    )
    return list(rows)

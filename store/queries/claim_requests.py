"""Claims that queue behind one being seated on the same task, and who holds a task's claims (PostgreSQL).

On PostgreSQL a claim first tries a transaction-scoped advisory lock on the task: whoever holds it seats the
claims queued before theirs, then their own. Anyone who finds it held records a request and is answered at once;
the holder's next turn (or the seater) seats it. SQLite has one writer at a time: nobody ever queues there.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from store.models import ClaimRequest

CLAIMS = 0x44494253  # the advisory locks' first key ("DIBS"); the second is the task's id


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def try_hold_claims(session: Session, task_id: int) -> bool:
    """Hold the task's claims for this transaction if nobody else does and no claim waits (always on SQLite),
    in one statement."""
    if not _postgres(session):
        return True
    waiting = select(ClaimRequest.id).where(ClaimRequest.task_id == task_id).exists()
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(CLAIMS, task_id) & ~waiting)))


def hold_claims(session: Session, task_id: int) -> None:
    """Hold the task's claims for this transaction, waiting for whoever holds them now."""
    if _postgres(session):
        session.execute(select(func.pg_advisory_xact_lock(CLAIMS, task_id)))


def add_request(session: Session, **values: object) -> None:
    """Keep a claim to seat later (one INSERT, built once)."""
    session.execute(_ADD, values)


_ADD = insert(ClaimRequest)


def queued(session: Session, task_id: int, limit: int) -> Sequence[ClaimRequest]:
    """The task's queued claims in arrival order (none ever on SQLite: nobody queues there)."""
    if not _postgres(session):
        return []
    return session.scalars(
        select(ClaimRequest).where(ClaimRequest.task_id == task_id).order_by(ClaimRequest.id).limit(limit)
    ).all()


def drop(session: Session, requests: Sequence[ClaimRequest]) -> None:
    """The requests are seated (or refused): forget them."""
    if requests:
        session.execute(delete(ClaimRequest).where(ClaimRequest.id.in_([r.id for r in requests])))


def tasks_with_requests(session: Session, limit: int) -> list[tuple[str, int]]:
    """(team, task) of tasks with queued claims, the longest-waiting first."""
    rows = session.execute(
        select(ClaimRequest.team_id, ClaimRequest.task_id)
        .group_by(ClaimRequest.team_id, ClaimRequest.task_id)
        .order_by(func.min(ClaimRequest.id))
        .limit(limit)
    ).all()
    return [(team_id, task_id) for team_id, task_id in rows]

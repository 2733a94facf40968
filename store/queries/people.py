"""People as Dibs last read them from Slack (`people`: status, time zone, Do Not Disturb), and what passed them by
while they were away (`away_notices`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from store.enums import FINISHED, ClaimRole
from store.models import AwayNotice, Claim, Person, Task
from store.queries.common import insert_ignore


def people_of(session: Session, team_id: str, user_ids: Sequence[str]) -> dict[str, Person]:
    """The rows of these people that exist."""
    if not user_ids:
        return {}
    rows = session.scalars(select(Person).where(Person.team_id == team_id, Person.user_id.in_(list(user_ids))))
    return {row.user_id: row for row in rows}


def save_person(session: Session, team_id: str, user_id: str, **values: Any) -> None:
    """Set what was read of a person (`status_*`, `tz`, `profile_read_at`; or `dnd_*`), the row made if new."""
    insert_ignore(session, Person, team_id=team_id, user_id=user_id, dnd_enabled=False)
    session.execute(update(Person).where(Person.team_id == team_id, Person.user_id == user_id).values(**values))


def people_in_line(session: Session, limit: int) -> list[tuple[str, str]]:
    """(team, user) of everyone waiting for or offered a seat on an unfinished task, and everyone with something
    to be told once back: the people an offer may pass over."""
    waiting = (
        select(Task.team_id, Claim.user_id)
        .join(Claim, Claim.task_id == Task.id)
        .where(Claim.role.in_([ClaimRole.WAITING, ClaimRole.OFFERED]), Task.status.not_in(list(FINISHED)))
    )
    told = select(AwayNotice.team_id, AwayNotice.user_id).where(AwayNotice.told_at.is_(None))
    rows = session.execute(waiting.union(told).limit(limit)).all()
    return [(str(team), str(user)) for team, user in rows]


def stale_people(session: Session, team_id: str, user_ids: Sequence[str], before: datetime, field: str) -> list[str]:
    """Who of these people was last read (`field`: profile_read_at or dnd_read_at) before `before`, or never."""
    column = getattr(Person, field)
    fresh = set(
        session.scalars(
            select(Person.user_id).where(
                Person.team_id == team_id, Person.user_id.in_(list(user_ids)), column.is_not(None), column >= before
            )
        )
    )
    return [u for u in dict.fromkeys(user_ids) if u not in fresh]


def waiting_among(
    session: Session, team_id: str, user_ids: Sequence[str], task_ids: Sequence[int]
) -> set[tuple[str, int]]:
    """(person, task) for each of these people still waiting in line for (or offered) one of these tasks."""
    if not user_ids or not task_ids:
        return set()
    rows = session.execute(
        select(Claim.user_id, Claim.task_id)
        .join(Task, Task.id == Claim.task_id)
        .where(Task.team_id == team_id, Claim.user_id.in_(list(user_ids)), Claim.task_id.in_(list(task_ids)),
               or_(Claim.role == ClaimRole.WAITING, Claim.role == ClaimRole.OFFERED))
    )  # fmt: skip
    return {(str(user_id), int(task_id)) for user_id, task_id in rows}


def tasks_by_id(session: Session, task_ids: Sequence[int]) -> dict[int, Task]:
    """The tasks of these ids that exist (what notices are about)."""
    if not task_ids:
        return {}
    return {task.id: task for task in session.scalars(select(Task).where(Task.id.in_(list(task_ids))))}


def untold_on(session: Session, team_id: str, task_id: int, user_ids: Sequence[str]) -> set[str]:
    """Who of these people has a notice about the task not yet told."""
    rows = session.scalars(
        select(AwayNotice.user_id).where(
            AwayNotice.team_id == team_id, AwayNotice.task_id == task_id, AwayNotice.user_id.in_(list(user_ids)),
            AwayNotice.told_at.is_(None),
        )
    )  # fmt: skip
    return set(rows)


def note_away(session: Session, team_id: str, user_id: str, task_id: int, what: str, now: datetime) -> None:
    """Something passed a person by on a task while they were away (`what`: how they were away)."""
    session.add(AwayNotice(team_id=team_id, user_id=user_id, task_id=task_id, what=what[:300], created_at=now))


def untold(session: Session, team_id: str, user_ids: Sequence[str]) -> list[AwayNotice]:
    """The notices not yet told to these people, oldest first."""
    if not user_ids:
        return []
    return list(
        session.scalars(
            select(AwayNotice)
            .where(AwayNotice.team_id == team_id, AwayNotice.user_id.in_(list(user_ids)), AwayNotice.told_at.is_(None))
            .order_by(AwayNotice.id)
            .with_for_update(skip_locked=True)
        )
    )

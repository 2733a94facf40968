"""Which channel got which day's digest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from store.enums import Via
from store.models import DigestRun, Task, TaskEvent
from store.queries.common import insert_ignore


def claim_digest_day(session: Session, team_id: str, channel_id: str, day: date, now: datetime) -> bool:
    """Record that this channel's digest for `day` is being posted; False if someone else has it."""
    return insert_ignore(session, DigestRun, team_id=team_id, channel_id=channel_id, day=day, created_at=now)


def last_digest_at(session: Session, team_id: str, channel_id: str, before_day: date) -> datetime | None:
    """When the channel's latest digest before `before_day` was made."""
    return session.scalar(
        select(func.max(DigestRun.created_at)).where(
            DigestRun.team_id == team_id, DigestRun.channel_id == channel_id, DigestRun.day < before_day
        )
    )


def changed_since(session: Session, team_id: str, channel_id: str, since: datetime, ignored: tuple[str, ...]) -> bool:
    """Whether a task of the channel changed since `since`: an audit row not written by the schedule (its
    reminders and nudges) and whose action is not one of `ignored`."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    TaskEvent.team_id == team_id,
                    TaskEvent.at > since,
                    TaskEvent.via != Via.SCHEDULE,
                    TaskEvent.action.not_in(ignored),
                    TaskEvent.task_id == Task.id,
                    Task.channel_id == channel_id,
                )
            )
        )
    )

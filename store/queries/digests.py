"""Which channel got which day's digest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import DigestRun
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

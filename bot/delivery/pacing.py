"""Slack allows about one message per second per channel: every process books its channel slot here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from store.queries.outbox import lock_channel_pace

CHANNEL_GAP = timedelta(seconds=1)


def reserve_channel(session: Session, team_id: str, channel_id: str, now: datetime) -> datetime:
    """Book the channel's next one-second slot: `now` if free (booked), else when it frees up."""
    pace = lock_channel_pace(session, team_id, channel_id, now)
    if pace.next_post_at > now:
        return pace.next_post_at
    pace.next_post_at = now + CHANNEL_GAP
    return now

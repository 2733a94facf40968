"""Watched channels and the record of Slack events already handled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.models import ProcessedEvent, WatchedChannel, utcnow


def watch_channel(db: sessionmaker[Session], team_id: str, channel_id: str, user_id: str) -> bool:
    """Start watching a channel; False if it was already watched."""
    try:
        with db.begin() as session:
            session.add(WatchedChannel(team_id=team_id, channel_id=channel_id, added_by=user_id, added_at=utcnow()))
        return True
    except IntegrityError:
        return False


def unwatch_channel(db: sessionmaker[Session], team_id: str, channel_id: str) -> bool:
    """Stop watching a channel; False if it was not watched. Its tasks stay as they are."""
    with db.begin() as session:
        result = session.execute(
            delete(WatchedChannel).where(WatchedChannel.team_id == team_id, WatchedChannel.channel_id == channel_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def set_muted(db: sessionmaker[Session], team_id: str, channel_id: str, muted: bool) -> bool:
    """Pause or resume reminders in a watched channel; False if the channel is not watched."""
    with db.begin() as session:
        watched = session.get(WatchedChannel, {"team_id": team_id, "channel_id": channel_id})
        if watched is None:
            return False
        watched.muted = muted
        return True


def is_watched(db: sessionmaker[Session], team_id: str, channel_id: str) -> bool:
    """Whether posts in this channel become tasks."""
    with db.begin() as session:
        return session.get(WatchedChannel, {"team_id": team_id, "channel_id": channel_id}) is not None


def first_delivery(db: sessionmaker[Session], team_id: str, event_id: str) -> bool:
    """Record a Slack event id; False if it was seen before (Slack retried it)."""
    try:
        with db.begin() as session:
            session.add(ProcessedEvent(event_id=event_id, team_id=team_id, received_at=utcnow()))
        return True
    except IntegrityError:
        return False


def forget_old_events(db: sessionmaker[Session], older_than: timedelta = timedelta(days=2)) -> int:
    """Drop event ids past Slack's retry window (its last retry comes within minutes)."""
    with db.begin() as session:
        result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < utcnow() - older_than))
        return int(result.rowcount)  # type: ignore[attr-defined]


def watched_channels(db: sessionmaker[Session], team_id: str) -> list[str]:
    """The channels of a workspace that Dibs watches."""
    with db.begin() as session:
        return list(session.scalars(select(WatchedChannel.channel_id).where(WatchedChannel.team_id == team_id)))

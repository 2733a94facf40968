"""Watched channels: where posts become tasks, and where reminders may be paused."""

from __future__ import annotations

from datetime import timedelta

from bot.services import Services
from store.queries import channels as queries


def watch_channel(svc: Services, team_id: str, channel_id: str, user_id: str) -> bool:
    """Start watching a channel; False if it was already watched."""
    with svc.db.begin() as session:
        return queries.add_watched(session, team_id, channel_id, user_id, svc.now())


def unwatch_channel(svc: Services, team_id: str, channel_id: str) -> bool:
    """Stop watching a channel; False if it was not watched. Its tasks stay as they are."""
    with svc.db.begin() as session:
        return queries.remove_watched(session, team_id, channel_id)


def set_muted(svc: Services, team_id: str, channel_id: str, muted: bool) -> bool:
    """Pause or resume reminders in a watched channel; False if the channel is not watched."""
    with svc.db.begin() as session:
        watched = queries.watched(session, team_id, channel_id)
        if watched is None:
            return False
        watched.muted = muted
        return True


def is_watched(svc: Services, team_id: str, channel_id: str) -> bool:
    """Whether posts in this channel become tasks."""
    with svc.db.begin() as session:
        return queries.watched(session, team_id, channel_id) is not None


def first_delivery(svc: Services, team_id: str, event_id: str) -> bool:
    """Record a Slack event id; False if it was seen before (Slack retried it)."""
    with svc.db.begin() as session:
        return queries.record_event(session, team_id, event_id, svc.now())


def forget_old_events(svc: Services, older_than: timedelta = timedelta(days=2)) -> int:
    """Drop event ids past Slack's retry window (its last retry comes within minutes)."""
    with svc.db.begin() as session:
        return queries.forget_events_before(session, svc.now() - older_than)

"""Watched channels: where posts become tasks, and where reminders may be paused."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery.outbox import queue_call
from bot.services import Services
from store.enums import Purpose
from store.queries import channels as queries


def watch_channel(svc: Services, team_id: str, channel_id: str, user_id: str, response_url: str | None) -> bool:
    """Start watching a channel and join it (public channels); False if it was already watched."""
    with svc.transaction() as tx:
        added = queries.add_watched(tx.session, team_id, channel_id, user_id, tx.now)
        queue_call(
            tx, team_id=team_id, channel_id=channel_id, purpose=Purpose.JOIN, method="conversations.join",
            args={"channel": channel_id}, response_url=response_url,
        )  # fmt: skip
    return added


def unwatch_channel(svc: Services, team_id: str, channel_id: str) -> bool:
    """Stop watching a channel; False if it was not watched. Its tasks stay as they are."""
    with svc.transaction() as tx:
        return queries.remove_watched(tx.session, team_id, channel_id)


def set_muted(svc: Services, team_id: str, channel_id: str, muted: bool) -> bool:
    """Pause or resume reminders in a watched channel; False if the channel is not watched."""
    with svc.transaction() as tx:
        watched = queries.watched(tx.session, team_id, channel_id)
        if watched is None:
            return False
        watched.muted = muted
        return True


def forget_old_events(svc: Services, older_than: timedelta = timedelta(days=2)) -> int:
    """Drop event ids past Slack's retry window (its last retry comes within minutes)."""
    with svc.transaction() as tx:
        return queries.forget_events_before(tx.session, tx.now - older_than)

"""Watched channels, and the Slack event ids already handled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from store.models import DigestRun, ProcessedEvent, WatchedChannel
from store.queries.common import insert_ignore, rows_changed
from store.queries.workspaces import still_installed


def add_watched(
    session: Session, team_id: str, channel_id: str, user_id: str, now: datetime, private: bool = False
) -> bool:
    """Start watching a channel; False if it was already watched."""
    return insert_ignore(
        session,
        WatchedChannel,
        team_id=team_id,
        channel_id=channel_id,
        added_by=user_id,
        added_at=now,
        muted=False,
        private=private,
        archived=False,
    )


def remove_watched(session: Session, team_id: str, channel_id: str) -> bool:
    """Stop watching a channel; False if it was not watched."""
    result = session.execute(
        delete(WatchedChannel).where(WatchedChannel.team_id == team_id, WatchedChannel.channel_id == channel_id)
    )
    return bool(rows_changed(result))


def watched(session: Session, team_id: str, channel_id: str) -> WatchedChannel | None:
    """The watched-channel row, or None when Dibs does not watch the channel."""
    return session.get(WatchedChannel, {"team_id": team_id, "channel_id": channel_id})


def is_muted(session: Session, team_id: str, channel_id: str) -> bool:
    """Whether reminders in this channel are paused (muted, or the channel is archived)."""
    row = watched(session, team_id, channel_id)
    return bool(row and (row.muted or row.archived))


def watched_channel_ids(session: Session, team_id: str) -> list[str]:
    """The channels of a workspace that Dibs watches."""
    return list(session.scalars(select(WatchedChannel.channel_id).where(WatchedChannel.team_id == team_id)))


def teams_watching(session: Session) -> list[str]:
    """The workspaces (still installed) with a watched channel that is not archived: those that get digests."""
    return list(
        session.scalars(
            select(WatchedChannel.team_id)
            .where(WatchedChannel.archived.is_(False), still_installed(WatchedChannel.team_id))
            .distinct()
        )
    )


def channels_without_digest(
    session: Session, day: date, team_ids: Sequence[str], watched_by: datetime
) -> list[tuple[str, str]]:
    """(team, channel) of every channel of these workspaces watched since `watched_by` or earlier that has
    no digest for `day` yet."""
    done_today = select(DigestRun.team_id, DigestRun.channel_id).where(DigestRun.day == day)
    rows = session.execute(
        select(WatchedChannel.team_id, WatchedChannel.channel_id).where(
            WatchedChannel.team_id.in_(team_ids),
            tuple_(WatchedChannel.team_id, WatchedChannel.channel_id).not_in(done_today),
            WatchedChannel.added_at <= watched_by,
            WatchedChannel.archived.is_(False),
            still_installed(WatchedChannel.team_id),
        )
    ).all()
    return [(team_id, channel_id) for team_id, channel_id in rows]


def record_event(session: Session, team_id: str, event_id: str, now: datetime) -> bool:
    """Record a Slack event id; False if it was recorded before (Slack retried it)."""
    return insert_ignore(session, ProcessedEvent, event_id=event_id, team_id=team_id, received_at=now)


def forget_events_before(session: Session, moment: datetime) -> int:
    """Drop event ids received before `moment`; returns how many."""
    return rows_changed(session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < moment)))


def all_watched(session: Session) -> list[WatchedChannel]:
    """Every watched channel of every workspace that has not uninstalled Dibs."""
    return list(
        session.scalars(
            select(WatchedChannel)
            .where(still_installed(WatchedChannel.team_id))
            .order_by(WatchedChannel.team_id, WatchedChannel.channel_id)
        )
    )


def set_caught_up(session: Session, team_id: str, channel_id: str, ts: str) -> None:
    """Remember the newest message read back from a channel's history."""
    row = watched(session, team_id, channel_id)
    if row is not None:
        row.caught_up_to = ts

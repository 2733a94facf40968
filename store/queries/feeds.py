"""Feeds Dibs polls, from the settings file and from `/dibs feed add`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import Feed
from store.queries.common import insert_ignore, rows_changed
from store.queries.workspaces import still_installed


def add_feed(session: Session, **values: object) -> bool:
    """Add a feed; False if this channel already has it."""
    return insert_ignore(session, Feed, **values)


def remove_feed(session: Session, team_id: str, channel_id: str, url: str) -> bool:
    """Remove a feed that was added from Slack; False if the channel has no such feed."""
    result = session.execute(
        delete(Feed).where(
            Feed.team_id == team_id, Feed.channel_id == channel_id, Feed.url == url, Feed.origin == "slack",
            Feed.source == "feed",
        )
    )  # fmt: skip
    return bool(rows_changed(result))


def feeds_of_channel(session: Session, team_id: str, channel_id: str, source: str = "feed") -> list[Feed]:
    """A channel's feeds (or calendars), oldest first."""
    where = (Feed.team_id == team_id, Feed.channel_id == channel_id, Feed.source == source)
    return list(session.scalars(select(Feed).where(*where).order_by(Feed.id)))


def feeds_from_settings(session: Session, team_id: str, source: str = "feed") -> list[Feed]:
    """The feeds (or calendars) a workspace has from the settings file."""
    where = (Feed.team_id == team_id, Feed.origin == "settings", Feed.source == source)
    return list(session.scalars(select(Feed).where(*where)))


def settings_feed_teams(session: Session, source: str = "feed") -> set[str]:
    """The workspaces that have feeds (or calendars) from the settings file."""
    where = (Feed.origin == "settings", Feed.source == source)
    return set(session.scalars(select(Feed.team_id).where(*where).distinct()))


def lock_due_feeds(session: Session, now: datetime, limit: int) -> list[Feed]:
    """Feeds due for a poll, locked (not those of workspaces that uninstalled Dibs); feeds another
    process is polling are skipped."""
    return list(
        session.scalars(
            select(Feed)
            .where(Feed.next_poll_at <= now, still_installed(Feed.team_id))
            .order_by(Feed.next_poll_at, Feed.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )

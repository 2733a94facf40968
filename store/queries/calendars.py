"""The occurrences of a calendar's events Dibs has seen (`calendar_events`), and calendars removed by id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import CalendarEvent, Feed
from store.queries.common import rows_changed

CALENDAR = "calendar"  # `feeds.source` of an iCalendar feed


def events_of(session: Session, team_id: str, feed_id: int) -> dict[str, CalendarEvent]:
    """Every occurrence recorded for the calendar, by its key (UID, and RECURRENCE-ID for an occurrence)."""
    rows = session.scalars(
        select(CalendarEvent).where(CalendarEvent.team_id == team_id, CalendarEvent.feed_id == feed_id)
    )
    return {row.key: row for row in rows}


def forget_past_events(session: Session, team_id: str, feed_id: int, before: datetime) -> int:
    """Forget occurrences that started before `before` (the tasks they became stay)."""
    statement = delete(CalendarEvent).where(
        CalendarEvent.team_id == team_id, CalendarEvent.feed_id == feed_id, CalendarEvent.starts_at < before
    )
    return rows_changed(session.execute(statement))


def remove_calendar(session: Session, team_id: str, channel_id: str, feed_id: int) -> str | None:
    """Remove the channel's calendar `feed_id` added from Slack; its address, or None if there is none."""
    row = session.scalar(
        select(Feed).where(
            Feed.id == feed_id, Feed.team_id == team_id, Feed.channel_id == channel_id, Feed.origin == "slack",
            Feed.source == CALENDAR,
        )
    )  # fmt: skip
    if row is None:
        return None
    url = row.url
    session.delete(row)
    return url

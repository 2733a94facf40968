"""Events from a team's calendar (an iCalendar feed): each new event becomes a task announced in the calendar's
channel, with its day, hours and place set as `/dibs when` sets them; a moved event moves its task (the owners'
calendar entries follow), and a cancelled one cancels it.

A calendar is a row of `feeds` (`source` "calendar"), polled by `bot.intake.feeds` like any feed: leased,
conditional GET, back-off, one bad calendar never holding up the others. Each occurrence within the horizon is
remembered in `calendar_events` (by UID, and RECURRENCE-ID for an occurrence of a recurring event) with the time
and place last read. The first poll records what is there and announces nothing. A calendar is read in full at
least once a day (the first poll of each UTC day sends no validators), so the occurrences of a recurring event
that come within the horizon as days pass are seen even when the calendar does not change.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import icalendar

from bot.intake.channels import check_admin
from bot.intake.from_settings import sync_from_settings
from bot.intake.ical import Occurrence, names_one_of, occurrences, single_events
from bot.intake.posts import open_announced_task
from bot.settings import Settings
from bot.settings.calendars import CalendarSettings, web_address
from bot.settings.labels import kind_in_sentence
from bot.slack.text import escape, is_web_link
from bot.staffing.seating import place_event
from bot.tasks.changes import EventMoved
from bot.tasks.errors import DibsError
from bot.tasks.event import when_of
from bot.tasks.kinds import kind_named
from bot.tasks.service import cancel_locked
from bot.tasks.tx import Tx
from store.enums import FINISHED, Via
from store.models import CalendarEvent, Feed, Task
from store.queries import feeds as feed_queries
from store.queries.calendars import CALENDAR, events_of, forget_past_events, remove_calendar
from store.queries.tasks import lock_task

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
ANNOUNCED_PER_POLL = 20
EVERY = timedelta(minutes=15)
HORIZON = timedelta(days=90)
REMEMBERED = timedelta(days=30)  # occurrences that started longer ago are forgotten
ACTOR = "calendar"


def validators(feed: Feed, now: datetime) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified a poll sends: none on a calendar's first poll of the (UTC) day."""
    if feed.source == CALENDAR and (feed.last_success_at is None or feed.last_success_at.date() != now.date()):
        return None, None
    return feed.etag, feed.last_modified


def _when(occurrence: Occurrence, settings: Settings) -> str:
    """` · Thu 22 Jan 10:00–16:00 (Europe/Berlin) · Hall 3`, or ` · Thu 22 Jan` for an all-day event."""
    start = None if occurrence.all_day else occurrence.starts_at
    return when_of(occurrence.day, start, occurrence.ends_at, occurrence.place, settings)


def _moments(occurrence: Occurrence) -> tuple[datetime, datetime | None] | None:
    return None if occurrence.all_day else (occurrence.starts_at, occurrence.ends_at)


def _remember(tx: Tx, feed: Feed, occurrence: Occurrence, task_id: int | None) -> None:
    tx.session.add(
        CalendarEvent(
            feed_id=feed.id, key=occurrence.key, team_id=feed.team_id, task_id=task_id, starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at, all_day=occurrence.all_day, place=occurrence.place,
            cancelled=occurrence.cancelled, seen_at=tx.now,
        )
    )  # fmt: skip


def _announce(tx: Tx, feed: Feed, occurrence: Occurrence) -> None:
    """A new event: a task of the calendar's kind, announced in its channel, with its day, hours and place."""
    settings = tx.settings_for(feed.team_id)
    kind = settings.kind(feed.kind) or settings.kinds["event"]
    headline = (
        f"New {kind_in_sentence(settings, kind.name)} in the team's calendar: *{escape(occurrence.title)}*"
        + _when(occurrence, settings)
    )
    task = open_announced_task(
        tx, team_id=feed.team_id, channel_id=feed.channel_id, kind=kind, title=occurrence.title, posted_by=ACTOR,
        source=Via.FEED, headline=headline, details=occurrence.details or None, url=occurrence.url,
        due_on=occurrence.day,
    )  # fmt: skip
    row = tx.session.get(Task, task.id)  # just made in this transaction: held and locked already
    assert row is not None
    place_event(tx, row, occurrence.day, _moments(occurrence), occurrence.place, ACTOR, Via.FEED)
    _remember(tx, feed, occurrence, task.id)


def _follow(tx: Tx, row: CalendarEvent, occurrence: Occurrence) -> None:
    """An occurrence seen before: moved (its task moves), cancelled (its task is cancelled), or as it was."""
    row.seen_at = tx.now
    if row.cancelled:
        return  # called off before: its task stays cancelled
    if occurrence.cancelled:
        _cancel(tx, row, "the team's calendar cancelled it")
        return
    if occurrence.where() == (row.starts_at, row.ends_at, row.all_day, row.place):
        return
    row.starts_at, row.ends_at, row.all_day, row.place = occurrence.where()
    task = lock_task(tx.session, row.team_id, row.task_id) if row.task_id is not None else None
    if task is None or task.status in FINISHED:
        return
    place_event(tx, task, occurrence.day, _moments(occurrence), occurrence.place or "", ACTOR, Via.FEED)
    tx.changed(EventMoved(task))


def _cancel(tx: Tx, row: CalendarEvent, why: str) -> None:
    """The occurrence is off: its task is cancelled, and its owners' calendar entries with it."""
    row.cancelled = True
    if row.task_id is None:
        return
    task = lock_task(tx.session, row.team_id, row.task_id)
    if task is None or task.status in FINISHED:
        return
    cancel_locked(tx, task, why, ACTOR, Via.FEED)
    tx.changed(EventMoved(task, cancelled=True))


def record_calendar(tx: Tx, feed: Feed, calendar: icalendar.Calendar) -> int:
    """Follow what the calendar says now: new events announced (after its first poll), moved ones moved,
    cancelled or vanished future ones cancelled; returns how many were announced."""
    settings, horizon = tx.settings_for(feed.team_id), timedelta(seconds=feed.horizon_seconds)
    found = occurrences(calendar, tx.now, horizon, settings.tz)
    known = events_of(tx.session, feed.team_id, feed.id)
    words = json.loads(feed.match) if feed.match else []
    new: list[Occurrence] = []
    for key, occurrence in found.items():
        if key in known:
            _follow(tx, known[key], occurrence)
        elif names_one_of(occurrence.title, words):
            new.append(occurrence)
    # Not read this time, though within the window: cancelled (unless called off already). A past event that left
    # the window is not, nor one beyond a horizon made shorter.
    missing = {key: row for key, row in known.items() if key not in found and not row.cancelled}
    missing = {key: row for key, row in missing.items() if tx.now < row.starts_at <= tx.now + horizon}
    anywhere = single_events(calendar, settings.tz) if missing else {}
    for key, row in missing.items():
        if key in anywhere:
            _follow(tx, row, anywhere[key])  # moved beyond the horizon: still there
        else:
            _cancel(tx, row, "it is no longer in the team's calendar")
    announced = 0
    for occurrence in sorted(new, key=lambda o: (o.starts_at, o.key)):
        if not feed.primed or occurrence.cancelled or occurrence.starts_at <= tx.now:
            _remember(tx, feed, occurrence, None)  # there before Dibs read it, called off, or under way: not news
        elif announced < ANNOUNCED_PER_POLL:
            _announce(tx, feed, occurrence)
            announced += 1
        else:
            waiting = len([o for o in new if o.starts_at > tx.now and not o.cancelled]) - announced
            log.warning("calendar %s: %d new events wait for the next poll", feed.id, waiting)
            feed.etag = feed.last_modified = None  # read it in full again next time
            break
    forget_past_events(tx.session, feed.team_id, feed.id, tx.now - REMEMBERED)
    feed.primed = True
    return announced


def sync_settings_calendars(tx: Tx, token_team: str | None, calendars: tuple[CalendarSettings, ...]) -> None:
    """Make each workspace's calendars from the settings file those the file lists now (a calendar without a
    `team` belongs to the bot token's workspace, `token_team`)."""

    def add(team_id: str, entry: CalendarSettings) -> None:
        _add(tx, team_id, entry.channel, entry.url, entry.kind, entry.match, "settings", None, entry.every,
             entry.horizon)  # fmt: skip

    sync_from_settings(tx, token_team, calendars, CALENDAR, _update_calendar, add)


def _update_calendar(row: Feed, entry: CalendarSettings) -> None:
    row.kind, row.match = entry.kind, json.dumps(list(entry.match)) if entry.match else None
    row.every_seconds = int(entry.every.total_seconds())
    row.horizon_seconds = int(entry.horizon.total_seconds())


def _add(
    tx: Tx, team_id: str, channel_id: str, url: str, kind: str, words: tuple[str, ...], origin: str,
    added_by: str | None, every: timedelta = EVERY, horizon: timedelta = HORIZON,
) -> bool:  # fmt: skip
    return feed_queries.add_feed(
        tx.session, team_id=team_id, channel_id=channel_id, url=url, kind=kind, source=CALENDAR,
        match=json.dumps(list(words)) if words else None, every_seconds=int(every.total_seconds()),
        horizon_seconds=int(horizon.total_seconds()), backfill=0, origin=origin, added_by=added_by, primed=False,
        next_poll_at=tx.now, failures=0,
    )  # fmt: skip


def add_channel_calendar(
    svc: Services, team_id: str, channel_id: str, user_id: str, url: str, kind: str, words: tuple[str, ...]
) -> tuple[bool, str]:
    """`/dibs calendar add`: the channel announces the calendar's new events; (False, …) if it already does.
    The kind's key comes back with it."""
    check_admin(svc, team_id, user_id)
    kind = kind_named(svc.settings, kind).name  # its key, however the person wrote it
    url = web_address(url)
    if not is_web_link(url) or len(url) > 1000:
        raise DibsError("Write the calendar's iCal address, like `/dibs calendar add https://example.com/team.ics`.")
    with svc.transaction() as tx:
        return _add(tx, team_id, channel_id, url, kind, words, "slack", user_id), kind


def remove_channel_calendar(svc: Services, team_id: str, channel_id: str, user_id: str, calendar_id: int) -> str | None:
    """`/dibs calendar remove ID`: the calendar's address, or None if the channel has no such calendar added
    from Slack. Its tasks stay."""
    check_admin(svc, team_id, user_id)
    with svc.transaction() as tx:
        return remove_calendar(tx.session, team_id, channel_id, calendar_id)


def channel_calendars(svc: Services, team_id: str, channel_id: str) -> list[Feed]:
    """`/dibs calendars`: the channel's calendars with how their last reads went."""
    with svc.read() as session:
        return feed_queries.feeds_of_channel(session, team_id, channel_id, CALENDAR)

"""An event's time, kept on its task: when the roster is due, how the day and hours read, and the owners'
calendar entries following every change of owners or of time. Works in the caller's transaction; the
task services, staffing, offers and undo all call it, so it builds on none of them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

from bot.settings import Settings
from bot.slack.text import escape
from bot.tasks import rules
from bot.tasks.changes import CalendarChanged
from bot.tasks.model import TaskSnapshot
from bot.tasks.tx import Tx
from bot.timing import event_moment, roster_moment
from store.enums import ClaimRole, TaskStatus
from store.models import Task


def is_event(task: Task) -> bool:
    """A task staffed by several people, or with a time: it gets a roster before its day."""
    return task.roles is not None or task.slots > 1 or task.event_start is not None


def plan_roster(task: Task, now: datetime, settings: Settings, new: bool = False) -> None:
    """When the roster goes into the thread. A task posted after that moment (the day before its event,
    say) gets none: its thread is already the roster."""
    starts = event_moment(task.due_on, task.event_start, settings)
    at = roster_moment(starts, now, settings) if is_event(task) else None
    task.roster_at = None if new and at is not None and at <= now else at


def local_moment(day: date, clock: time, settings: Settings) -> datetime:
    """`clock` on `day` in the workspace's time zone, in UTC."""
    return datetime.combine(day, clock, tzinfo=settings.tz).astimezone(UTC)


def _owners_in(state: str) -> set[str]:
    return {user for user, role, *_ in json.loads(state)["claims"] if role == ClaimRole.OWNER}


def calendars_follow(tx: Tx, task: Task, before: str | None) -> None:
    """New owners get a calendar entry, people who let go get it cancelled (`before`: `undo.state_of`)."""
    if before is None or (task.due_on is None and task.event_start is None):
        return
    had, has = _owners_in(before), {c.user_id for c in rules.owners(task)}
    if task.status == TaskStatus.CANCELLED:
        has = set()
    if has != had:  # a new SEQUENCE: someone who let go and came back gets an entry their calendar takes again
        task.calendar_seq += 1
    for user in sorted(has - had):
        tx.changed(CalendarChanged(task, user))
    for user in sorted(had - has):
        tx.changed(CalendarChanged(task, user, cancel=True))


def time_changed(tx: Tx, task: Task) -> None:
    """The event's day, time or place changed: the roster moves, and every owner's entry is updated."""
    task.calendar_seq += 1
    plan_roster(task, tx.now, tx.settings_for(task.team_id))
    for claim in rules.owners(task):
        tx.changed(CalendarChanged(task, claim.user_id, cancel=task.due_on is None))


def move_to_day(task: Task, day: date | None, settings: Settings) -> None:
    """A timed event keeps its hours on its new day (local time); without a day it has no time either."""
    if task.event_start is None:
        return
    if day is None:
        task.event_start = task.event_end = None
        return
    task.event_start = local_moment(day, task.event_start.astimezone(settings.tz).time(), settings)
    if task.event_end is not None:
        task.event_end = local_moment(day, task.event_end.astimezone(settings.tz).time(), settings)


def when_of(
    day: date, start: datetime | None, end: datetime | None, place: str | None, settings: Settings, *,
    lead: str = " · ", hours: str = " ", at: str = " · ", zone: bool = True,
) -> str:  # fmt: skip
    """` · Sat 12 Dec 09:00–17:00 (Europe/Berlin) · Hall 3`, or ` · Sat 12 Dec` without a `start` (a day alone);
    `lead` comes first, `hours` between the day and the hours, `at` before the place (escaped)."""
    text = f"{day:%a %d %b}"
    if start is not None:
        local = start.astimezone(settings.tz)
        until = f"–{end.astimezone(settings.tz):%H:%M}" if end is not None else ""
        text = f"{local:%a %d %b}{hours}{local:%H:%M}{until}" + (f" ({settings.timezone})" if zone else "")
    return lead + text + (f"{at}{escape(place)}" if place else "")


def when_text(task: Task | TaskSnapshot, settings: Settings) -> str:
    """` · Sat 12 Dec 09:00–17:00 (Europe/Berlin) · Hall 3`, or ` · Sat 12 Dec`; empty without a day."""
    if task.due_on is None:
        return ""
    return when_of(task.due_on, task.event_start, task.event_end, task.place, settings)

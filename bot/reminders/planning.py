"""The scheduler's planning of reminders: which tasks are due for a reminder or a due-date ping now.

Each planner claims due rows with `FOR UPDATE SKIP LOCKED` (on SQLite the whole transaction holds the write
lock), records what is due (`Reminded`, `PosterNudged`, `DueSoon`, `NomineeWanted`) and moves the row's clock
on in the same transaction, so a restart neither skips a due reminder nor sends one twice, and two processes
never plan the same one. Each workspace's reminders keep its own working hours and time zone. What Dibs says
about it (the channel's list moved to the bottom, a DM) is the editor's (`bot.editor.schedule`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.slack.text import is_person
from bot.tasks.changes import DueSoon, NomineeWanted, PosterNudged, Reminded, TaskChanged
from bot.tasks.rules import audit
from bot.tasks.seats import free_seats
from bot.tasks.tx import Tx
from bot.timing import (
    Step,
    due_steps_passed,
    escalation,
    event_moment,
    following_nag_at,
    in_working_hours,
    local_day,
    next_working_moment,
)
from store.enums import ClaimRole, TaskStatus, Via
from store.models import Task
from store.queries.channels import is_muted
from store.queries.outbox import count_ping
from store.queries.tasks import lock_tasks_to_nag, lock_tasks_with_due_steps

if TYPE_CHECKING:
    from bot.services import Services

BATCH = 500


def _clock_start(task: Task) -> datetime:
    """When the task last became unclaimed: its nag clock and escalation count from then."""
    return task.open_since or task.created_at


def take_ping(session: Session, team_id: str, user_id: str, now: datetime, settings: Settings) -> bool:
    """Count one ping of `user_id` today if they are under the daily noise budget; False if they are not."""
    return count_ping(session, team_id, user_id, local_day(now, settings), settings.nag.max_pings_per_day)


def _free_after_roster(task: Task) -> int:
    """An event reminded about after its roster: its free seats (0 for an unclaimed task)."""
    return free_seats(task) if task.status == TaskStatus.CLAIMED else 0


def _remind(tx: Tx, tasks: list[Task], settings: Settings) -> None:
    """The channel's due tasks are reminded about (its list moves, see `bot.editor.lists`); past
    `escalate_after` a kind with `rotation: fair` asks one person, past `dm_poster_after` the poster hears."""
    now = tx.now
    for task in tasks:
        step = escalation(_clock_start(task), now, settings)
        tx.changed(Reminded(task, step, _clock_start(task), _free_after_roster(task)))
        if step >= Step.DM_POSTER and not task.poster_nagged and is_person(task.posted_by):
            within = take_ping(tx.session, task.team_id, task.posted_by, now, settings)
            tx.changed(PosterNudged(task, _clock_start(task), within))
            task.poster_nagged = True
        kind = settings.kind(task.kind)
        if step >= Step.MENTION_GROUP and kind and kind.rotation == "fair" and not task.nominee:
            tx.changed(NomineeWanted(task, f"nag{task.nags_sent}"))


def _nag_team(tx: Tx, tasks: list[Task]) -> int:
    """One workspace's due reminders, by its own working hours and time zone; returns how many were sent."""
    session, now = tx.session, tx.now
    settings = tx.settings_for(tasks[0].team_id)
    if not in_working_hours(now, settings.working_hours, settings.tz):
        for task in tasks:  # due at night (say, after a restart): wait for the morning
            task.next_nag_at = next_working_moment(now, settings.working_hours, settings.tz)
        return 0
    by_channel: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        starts = event_moment(task.due_on, task.event_start, settings)
        if task.status == TaskStatus.CLAIMED and (not free_seats(task) or (starts is not None and starts <= now)):
            task.next_nag_at = None  # an event's free seats are not asked about once it has begun
            continue
        by_channel[task.channel_id].append(task)
    reminded = 0
    for channel_id, group in by_channel.items():
        if not is_muted(session, group[0].team_id, channel_id):
            _remind(tx, group, settings)
            reminded += len(group)
            for task in group:
                audit(session, task, "schedule", "reminded", Via.SCHEDULE, now)
        for task in group:
            task.nags_sent += 1
            task.next_nag_at = following_nag_at(now, settings)
    return reminded


def plan_nags(svc: Services, now: datetime) -> int:
    """Queue reminders for unclaimed tasks that are due; returns how many tasks were reminded."""
    with svc.transaction(now=now) as tx:
        tasks = lock_tasks_to_nag(tx.session, now, limit=BATCH)
        by_team: dict[str, list[Task]] = defaultdict(list)
        for task in tasks:
            by_team[task.team_id].append(task)
        return sum(_nag_team(tx, group) for group in by_team.values())


def plan_due_dates(svc: Services, now: datetime) -> list[tuple[str, int]]:
    """Queue owners' reminders before due dates; returns tasks whose thread must now show them overdue."""
    turned_overdue: list[tuple[str, int]] = []
    with svc.transaction(now=now) as tx:
        for task in lock_tasks_with_due_steps(tx.session, now, limit=BATCH):
            assert task.due_on is not None
            settings = tx.settings_for(task.team_id)
            passed, upcoming = due_steps_passed(task.due_on, now, settings)
            latest = passed - 1
            if latest >= len(settings.nag.due_reminders):
                task.version += 1  # the thread re-renders and shows it overdue
                tx.changed(TaskChanged(task, None, "overdue"))
                turned_overdue.append((task.team_id, task.id))
            elif task.status == TaskStatus.CLAIMED and passed > task.due_reminders_sent:
                _queue_due_reminder(tx, task, latest, settings)
            task.due_reminders_sent, task.next_due_at = passed, upcoming
    return turned_overdue


def _queue_due_reminder(tx: Tx, task: Task, step: int, settings: Settings) -> None:
    owners = [c.user_id for c in task.claims if c.role == ClaimRole.OWNER]
    pinged = [o for o in owners if take_ping(tx.session, task.team_id, o, tx.now, settings)]
    held = [o for o in owners if o not in pinged]
    tx.changed(DueSoon(task, step, tuple(pinged), tuple(held)))

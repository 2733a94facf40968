"""The reminder clocks kept on each task, started and stopped by the task rules in their transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.timing import due_steps_passed, first_nag_at, stale_nudge_at
from store.enums import TaskStatus
from store.models import Task
from store.queries.outbox import cancel_pending_nags


def start_nag_clock(task: Task, now: datetime, settings: Settings) -> None:
    """(Re)start the nag clock of an unclaimed task: a new task, or a released one."""
    task.open_since = now
    task.nags_sent = 0
    task.poster_nagged = False
    task.nominee = None  # a new round: whoever was asked before may be asked again
    task.next_nag_at = max(first_nag_at(now, settings), task.snoozed_until or now)


def stop_reminders(session: Session, task: Task) -> None:
    """A claimed or finished task is nagged no more; reminders not yet sent are called off (and a finished
    one's owners are never asked "still on it?": `keep_quiet_clock` sets that clock again for a claim)."""
    task.next_nag_at = None
    task.stale_nudge_at = None
    if task.poster_nagged:  # only then can a reminder of it still wait to go (its poster's DM)
        cancel_pending_nags(session, task.id)


def plan_due_steps(task: Task, now: datetime, settings: Settings) -> None:
    """Schedule the due-date steps still ahead (steps already past when the date is set are skipped)."""
    assert task.due_on is not None
    task.due_reminders_sent, task.next_due_at = due_steps_passed(task.due_on, now, settings)


def touched(task: Task, actor: str, now: datetime) -> None:
    """A person (not the schedule, not Slack itself) changed the task: it has not been quiet since `now`."""
    if actor[:1] in ("U", "W"):
        task.touched_at = now


def keep_quiet_clock(task: Task, now: datetime, settings: Settings) -> None:
    """The task's people or due date changed just now: a claimed task without a due date is next asked
    "still on it?" `nag.stale_claim_after` (working hours) from now; any other task is not asked at all.
    (`touched`, from `record`, keeps when a person last changed it.)"""
    quiet_claim = task.status == TaskStatus.CLAIMED and task.due_on is None
    task.stale_nudge_at = stale_nudge_at(now, settings) if quiet_claim else None

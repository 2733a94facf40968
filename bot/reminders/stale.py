"""Claims that went quiet: the owners of a claimed task without a due date, untouched by anyone for
`nag.stale_claim_after`, are asked by DM "still on it?" (Done, Release, Snooze), again every
`nag.stale_claim_after` while it stays quiet.

The clock is `Task.stale_nudge_at`: set by the task rules whenever the task's people or due date
change (`bot.tasks.clocks.keep_quiet_clock`), moved on here after each nudge, pushed one
`stale_claim_after` further by Snooze, cleared once the task is done, cancelled, unclaimed or dated.
Like the other planners it claims due rows with `FOR UPDATE SKIP LOCKED`, queues the DMs with
unique dedupe keys and moves the clock in one transaction. A nudge counts against each owner's
daily noise budget; one over it is held back (FOLDED) and listed in the channel's next digest.
In a muted or archived channel the round is skipped silently (its clock moves on), as reminders are.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.reminders.planning import BATCH, take_ping
from bot.slack.text import is_person
from bot.tasks.changes import StaleNudged
from bot.tasks.errors import DibsError
from bot.tasks.lookup import locked_task
from bot.tasks.rules import audit, owners
from bot.tasks.tx import Tx
from bot.timing import in_working_hours, local_day, next_working_moment, stale_nudge_at
from store.enums import TaskStatus, Via
from store.models import Task
from store.queries.channels import is_muted
from store.queries.tasks import lock_quiet_claims, quiet_claims_without_clock

if TYPE_CHECKING:
    from bot.services import Services


def quiet_since(task: Task) -> datetime:
    """When a person last changed the task (its claim, for a task older than that record)."""
    return task.touched_at or task.claimed_at or task.created_at


def is_quiet_claim(task: Task) -> bool:
    """Claimed, unfinished and without a due date: the only tasks whose owners are asked "still on it?"."""
    return task.status == TaskStatus.CLAIMED and task.due_on is None


def plan_stale_claims(svc: Services, now: datetime) -> int:
    """Queue "still on it?" for the owners of the claims gone quiet by `now`; returns how many tasks."""
    with svc.transaction(now=now) as tx:
        return sum(_nudge_or_move(tx, task) for task in lock_quiet_claims(tx.session, now, limit=BATCH))


def resume_quiet_clocks(svc: Services) -> int:
    """At start, with `nag.stale_claim_after` on: the claims that went quiet while it was off have no clock;
    each gets the one it would have (from when it went quiet, so one quiet for long is asked at the next
    tick). Returns how many."""
    if svc.settings.nag.stale_claim_after is None:
        return 0
    after_id, started = 0, 0
    while True:
        with svc.transaction() as tx:
            tasks = quiet_claims_without_clock(tx.session, after_id, limit=BATCH)
            for task in tasks:
                task.stale_nudge_at = stale_nudge_at(quiet_since(task), tx.settings_for(task.team_id))
                started += task.stale_nudge_at is not None
        if len(tasks) < BATCH:
            return started
        after_id = tasks[-1].id


def _nudge_or_move(tx: Tx, task: Task) -> int:
    """Nudge the owners of one due task (1), or move its clock to when it should be looked at (0)."""
    now, settings = tx.now, tx.settings_for(task.team_id)
    due = stale_nudge_at(quiet_since(task), settings)
    if not is_quiet_claim(task) or due is None:
        task.stale_nudge_at = None  # finished, unclaimed or dated meanwhile, or the setting is off
        return 0
    hours, tz = settings.working_hours, settings.tz
    wait_until = max(due, task.snoozed_until or now)  # changed since it was scheduled, or under /dibs snooze
    if wait_until > now or not in_working_hours(now, hours, tz):
        task.stale_nudge_at = next_working_moment(max(wait_until, now), hours, tz)
        return 0
    seen = task.stale_nudge_at
    task.stale_nudge_at = stale_nudge_at(now, settings)  # and again every stale_claim_after
    if is_muted(tx.session, task.team_id, task.channel_id):
        return 0
    assert seen is not None
    asked = [c for c in owners(task) if is_person(c.user_id)]
    for claim in asked:
        _queue_nudge(tx, task, claim.user_id, claim.created_at, f"stale:{task.id}:{claim.user_id}:{seen.isoformat()}")
    audit(tx.session, task, "schedule", "nudged", Via.SCHEDULE, now, detail=" ".join(c.user_id for c in asked))
    return 1


def _queue_nudge(tx: Tx, task: Task, owner: str, took_at: datetime, key: str) -> None:
    """One owner's "still on it?", or (over today's noise budget) a line held back for the next edition."""
    within = take_ping(tx.session, task.team_id, owner, tx.now, tx.settings_for(task.team_id))
    tx.changed(StaleNudged(task, owner, took_at, key, within))


def snooze_nudge(svc: Services, team_id: str, task_id: int, user_id: str) -> str:
    """Snooze on "still on it?": the next nudge comes one more `stale_claim_after` later; the answer for
    the person who clicked."""
    with svc.transaction() as tx:
        task = locked_task(tx.session, team_id, task_id)  # from a DM: the person is an owner Dibs wrote to
        settings = tx.settings_for(team_id)
        after = settings.nag.stale_claim_after
        if all(c.user_id != user_id for c in owners(task)) and user_id != task.posted_by:
            raise DibsError(f"You don't own #{task.id} any more, so I won't ask you about it.")
        if not is_quiet_claim(task) or after is None:
            return f"#{task.id} needs no answer now: I won't ask about it again while it stays so."
        start = max(task.stale_nudge_at or tx.now, tx.now)
        task.stale_nudge_at = next_working_moment(start + after, settings.working_hours, settings.tz)
        audit(tx.session, task, user_id, "nudge_snoozed", Via.BUTTON, tx.now, detail=task.stale_nudge_at.isoformat())
        on = local_day(task.stale_nudge_at, settings)
    return f"Got it. I'll ask again on {on:%a %d %b} if #{task_id} is still quiet then."

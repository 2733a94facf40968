"""Undo: a change to a task (a claim, a release, done, a swap, a take-over, its time or its seats) can be taken back by
the person who made it for five minutes, as long as nothing else changed the task since.

Before the change the task's people and status are kept as JSON (`state_of`); `keep` stores them
with the task's version after the change; `undo` puts them back if the task is still at that version.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from bot.tasks import rules
from bot.tasks.clocks import plan_due_steps, start_nag_clock, stop_reminders
from bot.tasks.errors import DibsError, NotAllowed
from bot.tasks.event import calendars_follow, time_changed
from bot.tasks.lookup import locked_task
from bot.tasks.model import TaskSnapshot, snapshot
from bot.tasks.tx import Tx
from store.enums import ACTIVE, ClaimRole, TaskStatus, Via
from store.models import Claim, Task, Undo

UNDO_FOR = timedelta(minutes=5)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _restore_when(tx: Tx, task: Task, when: list[str | None]) -> None:
    """The event's day, time and place as they were; calendars and the roster follow a difference."""
    if when == [_day(task.due_on), _when(task.event_start), _when(task.event_end), task.place]:
        return
    task.due_on = date.fromisoformat(when[0]) if when[0] else None
    task.event_start, task.event_end, task.place = _moment(when[1]), _moment(when[2]), when[3]
    task.next_due_at = None
    time_changed(tx, task)


def state_of(task: Task) -> str:
    """The task's people and status as they are now (before a change), as JSON."""
    return json.dumps(
        {
            "status": str(task.status),
            "claimed_at": _when(task.claimed_at),
            "done": [_when(task.done_at), task.done_by, task.done_link],
            "seats": [task.roles, task.slots],
            "when": [_day(task.due_on), _when(task.event_start), _when(task.event_end), task.place],
            "claims": [
                [c.user_id, str(c.role), c.seat, _when(c.offered_until), c.placed_by, _when(c.created_at)]
                for c in sorted(task.claims, key=lambda c: c.id or 0)
            ],
        }
    )


def before(task: Task, via: Via) -> str | None:
    """The state to keep before a change, when anything needs it: an Undo button (not for a reaction: taking
    it back is its undo), or calendars to follow (a dated task). None saves the work on a hot path."""
    if via == Via.REACTION and task.due_on is None and task.event_start is None:
        return None
    return state_of(task)


def keep(tx: Tx, task: Task, actor: str, action: str, before: str | None, via: Via | None = None) -> int | None:
    """Remember how the task was before `actor`'s change (call after the change); the Undo button's id
    (None without a state, or for a reaction)."""
    if before is None or via == Via.REACTION:
        return None
    row = Undo(
        team_id=task.team_id, task_id=task.id, actor=actor, action=action, version=task.version, before=before,
        created_at=tx.now, used=False,
    )  # fmt: skip
    tx.session.add(row)
    tx.session.flush()
    return row.id


def _check(row: Undo | None, team_id: str, user_id: str, now: datetime) -> Undo:
    if row is None or row.team_id != team_id:
        raise DibsError("That Undo button no longer works; `/dibs list` shows where things stand.")
    if row.actor != user_id:
        raise NotAllowed("Only the person who made a change can undo it.")
    if row.used:
        raise DibsError(f"That change to #{row.task_id} is already undone.")
    if now - row.created_at > UNDO_FOR:
        raise DibsError(
            f"Undo works for {int(UNDO_FOR.total_seconds() // 60)} minutes after a change; this one is older. "
            f"`/dibs claim {row.task_id}` or `/dibs release {row.task_id}` does it by hand."
        )
    return row


def undo(tx: Tx, team_id: str, undo_id: int, user_id: str) -> TaskSnapshot:
    """Put the task's people and status back as they were before the change (see the module's rules); the
    owners' calendar entries follow."""
    session, now = tx.session, tx.now
    row = _check(session.get(Undo, undo_id), team_id, user_id, now)
    task = locked_task(session, team_id, row.task_id)
    if task.version != row.version:
        raise DibsError(f"#{task.id} changed again since, so I can't undo that; `/dibs list` shows where it stands.")
    now_state, before = state_of(task), json.loads(row.before)
    task.claims.clear()
    session.flush()
    for user, role, seat, offered_until, placed_by, created_at in before["claims"]:
        task.claims.append(
            Claim(user_id=user, role=ClaimRole(role), seat=seat, offered_until=_moment(offered_until),
                  placed_by=placed_by, created_at=_moment(created_at) or now)
        )  # fmt: skip
    settings = tx.settings_for(team_id)
    task.roles, task.slots = before["seats"]
    _restore_when(tx, task, before["when"])
    task.status, task.claimed_at = TaskStatus(before["status"]), _moment(before["claimed_at"])
    task.done_at, task.done_by, task.done_link = _moment(before["done"][0]), before["done"][1], before["done"][2]
    if task.status == TaskStatus.OPEN:
        start_nag_clock(task, now, settings)
    else:
        stop_reminders(session, task)
    if task.due_on is not None and task.status in ACTIVE:
        plan_due_steps(task, now, settings)
    rules.sync_status(session, task, now, settings)  # the quiet-claim clock follows the restored owners
    row.used = True
    rules.record(tx, task, user_id, "undone", Via.UNDO, detail=row.action)
    session.flush()
    calendars_follow(tx, task, now_state)
    return snapshot(task)

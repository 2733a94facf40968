"""Taking and letting go of a seat: claim (a seat of the role asked for, or a place in its line), release (the
first in line is offered the freed seat) and hand-over. Each works in the caller's transaction (`Tx`) and
returns plain data; the owners' calendar entries follow (`bot.tasks.event`), and the change can be undone.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from bot.staffing import offers
from bot.tasks import event, rules, seats, undo
from bot.tasks.changes import SeatGiven
from bot.tasks.claimers import check_may_claim
from bot.tasks.errors import DibsError, TaskNotFound
from bot.tasks.lookup import found, locked_task
from bot.tasks.model import AssignResult, ClaimResult, ReleaseResult, snapshot
from bot.tasks.tx import Tx
from store.enums import FINISHED, ClaimRole, Via
from store.models import ClaimRequest, Task
from store.queries.claim_requests import add_request, drop, hold_claims, queued, tasks_with_requests, try_hold_claims
from store.queries.tasks import lock_task, task_head

QUEUED_AT_ONCE = 100  # queued claims seated in one transaction (a long line takes a few turns)


def claim_task(
    tx: Tx, team_id: str, task_id: int, user_id: str, via: Via, seen_from: str | None = None, seat: str | None = None
) -> ClaimResult:
    """Give `user_id` a seat (of the role asked for, else the first with one free), else a place in line.
    Someone a freed seat is offered to takes it."""
    return _claim(tx, locked_task(tx.session, team_id, task_id, seen_from), user_id, via, seat)


def claim_at_once(tx: Tx, team_id: str, task_id: int) -> bool:
    """Whether a claim on the task can be seated in this transaction: nobody else is seating one right now and
    none waits to be (on PostgreSQL; always on SQLite). Otherwise it queues behind them (`queue_claim`)."""
    return try_hold_claims(tx.session, task_id)


def queue_claim(
    tx: Tx, team_id: str, task_id: int, user_id: str, via: Via, seen_from: str | None, seat: str | None,
    tell: tuple[str, str | None] | None,
) -> None:  # fmt: skip
    """Keep a claim to seat as soon as the one being seated now is done (in arrival order). What would refuse it
    now (no such task, finished, no such role) refuses it now; `tell`: where its claimant hears the outcome."""
    task = found(tx.session, team_id, task_id, task_head(tx.session, team_id, task_id), seen_from)
    rules.refuse_finished(task)
    check_may_claim(tx, team_id, task_id, task.kind, user_id)
    if seat is not None:
        seats.pick_seat(task, seat)
    channel, thread = tell or (None, None)
    add_request(
        tx.session, team_id=team_id, task_id=task_id, user_id=user_id, via=via, seat=seat, tell_channel=channel,
        tell_thread=thread, created_at=tx.now,
    )  # fmt: skip
    tx.queued_claims.add(task_id)


Seated = tuple[ClaimRequest, ClaimResult | DibsError]


def seat_queued(tx: Tx, team_id: str, task_id: int, wait: bool = False, most: int = QUEUED_AT_ONCE) -> list[Seated]:
    """Seat the task's queued claims in arrival order (at most `most`; the rest wait for the next turn), each
    with its outcome or why it was refused. The caller holds the task's claims, or (`wait`) waits for them."""
    if wait:
        hold_claims(tx.session, task_id)
    requests = queued(tx.session, task_id, most)
    if not requests:
        return []
    task = lock_task(tx.session, team_id, task_id)
    seated: list[Seated] = []
    for request in requests:
        try:
            if task is None:
                raise TaskNotFound(f"#{task_id} is gone.")
            seated.append((request, _claim(tx, task, request.user_id, request.via, request.seat)))
        except DibsError as refused:
            seated.append((request, refused))
    drop(tx.session, requests)
    if len(requests) == most:
        tx.queued_claims.add(task_id)  # more wait: the next turn takes them
    return seated


def tasks_with_queued_claims(session: Session) -> list[tuple[str, int]]:
    """(team, task) of the tasks whose claims wait to be seated, the longest-waiting first."""
    return tasks_with_requests(session, 50)


def _claim(tx: Tx, task: Task, user_id: str, via: Via, seat: str | None) -> ClaimResult:
    session, now, team_id, task_id = tx.session, tx.now, task.team_id, task.id
    rules.refuse_finished(task)
    mine = rules.claim_of(task, user_id)
    if mine is None:
        check_may_claim(tx, team_id, task_id, task.kind, user_id)
    if mine is not None and mine.role == ClaimRole.OFFERED:
        taken = offers.take_offer(tx, team_id, task_id, user_id, via)
        return ClaimResult(taken, "claimed", mine.seat, taken.undo)
    if mine is not None:
        return ClaimResult(
            snapshot(task), "already_owner" if mine.role == ClaimRole.OWNER else "already_waiting", mine.seat
        )
    chosen = seats.pick_seat(task, seat)
    before = undo.before(task, via)
    role = rules.add_claim(task, user_id, now, chosen)
    rules.sync_status(session, task, now, tx.settings_for(team_id))
    rules.record(tx, task, user_id, "claimed" if role == ClaimRole.OWNER else "waitlisted", via, detail=chosen)
    event.calendars_follow(tx, task, before)
    outcome: Literal["claimed", "waitlisted"] = "claimed" if role == ClaimRole.OWNER else "waitlisted"
    return ClaimResult(snapshot(task), outcome, chosen, undo.keep(tx, task, user_id, outcome, before, via))


def release_claim(
    tx: Tx, team_id: str, task_id: int, user_id: str, via: Via, seen_from: str | None = None
) -> ReleaseResult:
    """Drop `user_id` from the owners (the first in line for that role is offered the seat) or from the line."""
    session, now = tx.session, tx.now
    task = locked_task(session, team_id, task_id, seen_from)
    mine = rules.claim_of(task, user_id)
    if mine is None or task.status in FINISHED:
        return ReleaseResult(snapshot(task), "not_claimed")
    before = undo.before(task, via)
    held, seat = mine.role in seats.HOLDING, mine.seat
    task.claims.remove(mine)
    session.flush()
    rules.record(tx, task, user_id, "released" if held else "left_waitlist", via, detail=seat)
    promoted = offers.offer_freed_seat(tx, task, seat, via) if held else None
    rules.sync_status(session, task, now, tx.settings_for(team_id))
    session.flush()
    event.calendars_follow(tx, task, before)
    outcome: Literal["released", "left_waitlist"] = "released" if held else "left_waitlist"
    return ReleaseResult(snapshot(task), outcome, promoted, undo.keep(tx, task, user_id, outcome, before, via))


def assign_task(
    tx: Tx, team_id: str, task_id: int, actor: str, target: str, via: Via, seen_from: str | None = None
) -> AssignResult:
    """Hand a task over: an owner gives their seat to `target`; the poster may fill a free seat."""
    session, now = tx.session, tx.now
    task = locked_task(session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    mine = rules.check_may_assign(task, actor, target)
    check_may_claim(tx, team_id, task.id, task.kind, target, actor)
    before = undo.before(task, via)
    seat = mine.seat if mine is not None else seats.pick_seat(task, None)
    rules.give_seat(session, task, target, seat, now, replacing=mine, placed_by=None if mine is not None else actor)
    rules.sync_status(session, task, now, tx.settings_for(team_id))
    rules.record(tx, task, actor, "assigned", via, detail=target)
    tx.changed(SeatGiven(task, target, "handed", by=actor))
    session.flush()
    event.calendars_follow(tx, task, before)
    return AssignResult(
        snapshot(task), actor if mine is not None else None, undo.keep(tx, task, actor, "assigned", before, via)
    )

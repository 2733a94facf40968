"""Offers: when a seat frees up, the first person waiting for it is asked privately (Take it / Pass) and
the seat is held for them until `offer_expires_after` of working time has passed (never past the
event's start); then it goes to the next person. With `offer_expires_after: 0`, or when the event is
about to start, the seat is theirs at once, as before offers existed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.staffing.presence import passed_over
from bot.tasks import rules, seats, undo
from bot.tasks.changes import SeatGiven, SeatOffered
from bot.tasks.claimers import check_may_claim, claimers_of
from bot.tasks.errors import DibsError
from bot.tasks.event import calendars_follow
from bot.tasks.lookup import locked_task
from bot.tasks.model import TaskSnapshot, snapshot
from bot.tasks.tx import Tx
from bot.timing import event_moment, offer_deadline
from store.enums import ClaimRole, Via
from store.models import Task
from store.queries.tasks import lock_tasks_with_expired_offers

if TYPE_CHECKING:
    from bot.services import Services

BATCH = 200


def offer_freed_seat(tx: Tx, task: Task, seat: str | None, via: Via) -> str | None:
    """Offer a role's free seat to the first person waiting for it who is not away (or give it outright, see
    above); returns who was asked. Whoever is away stays in line and hears of it once back (`passed_over`). The
    thread shows the offer; the person hears of it (`SeatOffered`, `SeatGiven`)."""
    allowed = claimers_of(tx.session, tx.settings_for(task.team_id), task.team_id, task.kind, tx.memo)
    line = [claim for claim in seats.waiting(task, seat) if allowed is None or claim.user_id in allowed]
    if not line or seats.free(task, seat) <= 0:  # who left the kind's claimer group is not offered a seat
        return None
    (first, _), settings, now = passed_over(tx, task, line, via), tx.settings_for(task.team_id), tx.now
    starts = event_moment(task.due_on, task.event_start, settings)
    until = offer_deadline(now, starts, settings)
    about_to_start = starts is not None and starts <= now + timedelta(minutes=1)
    if settings.staffing.offer_expires_after <= timedelta(0) or about_to_start:
        first.role = ClaimRole.OWNER
        rules.record(tx, task, first.user_id, "promoted", via)
        tx.changed(SeatGiven(task, first.user_id, "promoted"))
        return first.user_id
    first.role, first.offered_until = ClaimRole.OFFERED, until
    rules.record(tx, task, first.user_id, "offered", via, detail=until.isoformat())
    tx.changed(SeatOffered(task, first.user_id, seat, until))
    return first.user_id


def refill(tx: Tx, task: Task, via: Via) -> list[str]:
    """Offer every role's free seats to the people waiting for them; returns who was asked."""
    asked = []
    for seat, _ in seats.seat_plan(task):
        while (who := offer_freed_seat(tx, task, seat, via)) is not None:
            asked.append(who)
    return asked


def take_offer(tx: Tx, team_id: str, task_id: int, user_id: str, via: Via) -> TaskSnapshot:
    """Take the seat offered to `user_id` (their calendar entry follows; the change can be undone)."""
    task = _unfinished(tx, team_id, task_id)
    mine = rules.claim_of(task, user_id)
    if mine is not None and mine.role == ClaimRole.OWNER:
        raise DibsError(f"You already have {seats.describe(mine.seat)} on #{task.id}.")
    if mine is None or mine.role != ClaimRole.OFFERED:
        raise DibsError(
            f"The seat on #{task.id} is no longer held for you (the offer ran out or went to the next person). "
            f"`/dibs claim {task.id}` puts you in line again."
        )
    check_may_claim(tx, team_id, task.id, task.kind, user_id)  # the group may have changed since they queued
    before = undo.before(task, via)
    mine.role, mine.offered_until = ClaimRole.OWNER, None
    rules.sync_status(tx.session, task, tx.now, tx.settings_for(team_id))
    rules.record(tx, task, user_id, "claimed", via, detail=mine.seat)
    tx.session.flush()
    calendars_follow(tx, task, before)
    return replace(snapshot(task), undo=undo.keep(tx, task, user_id, "claimed", before, via))


def pass_offer(tx: Tx, team_id: str, task_id: int, user_id: str, via: Via) -> TaskSnapshot:
    """Pass on the seat offered to `user_id`: they leave the line and the next person is asked."""
    task = _unfinished(tx, team_id, task_id)
    mine = rules.claim_of(task, user_id)
    if mine is None or mine.role != ClaimRole.OFFERED:
        raise DibsError(f"No seat on #{task.id} is held for you any more, so there is nothing to pass.")
    seat = mine.seat
    task.claims.remove(mine)
    tx.session.flush()
    rules.record(tx, task, user_id, "passed", via, detail=seat)
    offer_freed_seat(tx, task, seat, via)
    rules.sync_status(tx.session, task, tx.now, tx.settings_for(team_id))
    tx.session.flush()
    return snapshot(task)


def _unfinished(tx: Tx, team_id: str, task_id: int) -> Task:
    """The task (locked), refusing one that is finished."""
    task = locked_task(tx.session, team_id, task_id)
    rules.refuse_finished(task)
    return task


def expire_offers(svc: Services, now: datetime) -> int:
    """Offers that ran out go to the next person in line; returns how many ran out."""
    expired = 0
    with svc.transaction(now=now) as tx:
        for task in lock_tasks_with_expired_offers(tx.session, now, limit=BATCH):
            for claim in [c for c in task.claims if c.role == ClaimRole.OFFERED and (c.offered_until or now) <= now]:
                seat, user_id = claim.seat, claim.user_id
                task.claims.remove(claim)
                tx.session.flush()
                rules.record(tx, task, user_id, "offer_expired", Via.SCHEDULE, detail=seat)
                offer_freed_seat(tx, task, seat, Via.SCHEDULE)
                expired += 1
            rules.sync_status(tx.session, task, now, tx.settings_for(task.team_id))
    return expired

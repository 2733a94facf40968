"""Staffing an event: its time and place (`/dibs when`), its roles' seats (`/dibs roles`), the roster posted
in the thread before it, swaps the other person accepts, and take-overs by an admin or the poster (the
owners' calendar entries follow, see `bot.tasks.event`). Each function works in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.settings import MAX_SEATS
from bot.slack.text import already_holds, mention, people
from bot.staffing.offers import refill
from bot.tasks import rules, seats
from bot.tasks.changes import RosterDue, SeatGiven, SeatTaken, SwapAsked, SwapDeclined
from bot.tasks.claimers import check_may_claim
from bot.tasks.clocks import plan_due_steps
from bot.tasks.errors import DibsError, NotAllowed
from bot.tasks.event import calendars_follow, local_moment, time_changed
from bot.tasks.lookup import locked_task
from bot.tasks.model import TaskSnapshot, snapshot
from bot.tasks.tx import Tx
from bot.tasks.undo import keep, state_of
from bot.timing import first_nag_at, local_day
from store.enums import TaskStatus, Via
from store.models import Claim, Swap, Task
from store.queries.tasks import lock_tasks_for_roster

if TYPE_CHECKING:
    from bot.services import Services

PLACE_STORED = 200
BATCH = 200


def set_event_time(
    tx: Tx, team_id: str, task_id: int, user_id: str, day: date, hours: tuple[time, time] | None,
    place: str | None, seen_from: str | None = None,
) -> TaskSnapshot:  # fmt: skip
    """`/dibs when ID 2026-12-12 09:00-17:00 [at PLACE]`: the event's day, its hours, where it is."""

    settings = tx.settings_for(team_id)
    task = locked_task(tx.session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    rules.check_may_change(task, user_id, "set its time")
    rules.check_due_date(day, local_day(tx.now, settings))
    before = state_of(task)
    moments = None if hours is None else (local_moment(day, hours[0], settings), local_moment(day, hours[1], settings))
    place_event(tx, task, day, moments, place, user_id, Via.COMMAND)
    return replace(snapshot(task), undo=keep(tx, task, user_id, "when", before))


def place_event(
    tx: Tx, task: Task, day: date, moments: tuple[datetime, datetime | None] | None, place: str | None, actor: str,
    via: Via,
) -> None:  # fmt: skip
    """A locked task's day, its start and end (None: the day alone) and its place (None: unchanged), as `/dibs when`
    and a team calendar set them: the due-date steps, the roster and the owners' calendar entries follow."""
    task.due_on = day
    task.event_start, task.event_end = moments if moments is not None else (None, None)
    if place is not None:
        task.place = place[:PLACE_STORED] or None
    plan_due_steps(task, tx.now, tx.settings_for(task.team_id))
    time_changed(tx, task)
    rules.record(tx, task, actor, "when", via, detail=day.isoformat())


def set_roles(
    tx: Tx, team_id: str, task_id: int, user_id: str, counts: list[tuple[str, int]], seen_from: str | None = None
) -> TaskSnapshot:
    """`/dibs roles ID staff=3`: change a role's seats (or add a role); never below the people holding them."""

    task = locked_task(tx.session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    rules.check_may_change(task, user_id, "change its seats")
    if task.roles is None:
        raise DibsError(
            f"#{task.id} has plain seats ({task.slots}); roles come from its kind's `roles:` setting "
            "(like `roles: {lead: 1, staff: 2}`)."
        )
    before = state_of(task)
    plan = dict(seats.seat_plan(task))
    for name, count in counts:
        held = len(seats.holders(task, name))
        if not 1 <= count <= MAX_SEATS:
            raise DibsError(f"A role has 1 to {MAX_SEATS} seats; `{name}={count}` is outside.")
        if count < held:
            who = "1 person holds" if held == 1 else f"{held} people hold"
            raise DibsError(f"{who} {name} seats on #{task.id}; one of them must let go first.")
        plan[name] = count
    if sum(plan.values()) > MAX_SEATS:
        raise DibsError(f"A task has at most {MAX_SEATS} seats in all.")
    seats.set_plan(task, [(str(name), count) for name, count in plan.items()])
    refill(tx, task, Via.COMMAND)
    rules.sync_status(tx.session, task, tx.now, tx.settings_for(team_id))
    detail = " ".join(f"{name}={count}" for name, count in counts)
    rules.record(tx, task, user_id, "roles", Via.COMMAND, detail=detail)
    tx.session.flush()
    return replace(snapshot(task), undo=keep(tx, task, user_id, "roles", before))


def _owner_claim(task: Task, user_id: str) -> Claim | None:
    return next((c for c in rules.owners(task) if c.user_id == user_id), None)


NOT_A_PERSON = "Dibs can't take a seat; pick a person."


def ask_swap(
    tx: Tx, team_id: str, task_id: int, user_id: str, target: str, seen_from: str | None = None
) -> TaskSnapshot:
    """`/dibs swap ID @someone`: ask them privately to take your seat; it stays yours until they accept. (Dibs
    itself is refused before, where its user id is known: NOT_A_PERSON.)"""
    task = locked_task(tx.session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    mine = _owner_claim(task, user_id)
    if mine is None:
        raise NotAllowed(f"You don't hold a seat on #{task.id}, so there is nothing to swap.")
    if target == user_id or _owner_claim(task, target) is not None:
        raise DibsError(already_holds(target, user_id, task.id))
    check_may_claim(tx, team_id, task.id, task.kind, target, user_id)
    swap = Swap(team_id=team_id, task_id=task.id, from_user=user_id, to_user=target, seat=mine.seat,
                state="asked", created_at=tx.now)  # fmt: skip
    tx.session.add(swap)
    tx.session.flush()
    rules.audit(tx.session, task, user_id, "swap_asked", Via.COMMAND, tx.now, detail=target)
    tx.changed(SwapAsked(task, swap))
    return snapshot(task)


def answer_swap(tx: Tx, team_id: str, swap_id: int, user_id: str, accept: bool) -> tuple[TaskSnapshot, str]:
    """Accept or decline a swap asked of `user_id`: the task, and the id of who asked."""

    swap = tx.session.get(Swap, swap_id)
    if swap is None or swap.team_id != team_id or swap.to_user != user_id:
        raise DibsError("That swap no longer works; `/dibs list` shows the tasks.")
    if swap.state != "asked":
        raise DibsError(f"You already answered that swap ({swap.state}).")
    task = locked_task(tx.session, team_id, swap.task_id)
    swap.decided_at = tx.now
    old = _owner_claim(task, swap.from_user)
    if task.status in (TaskStatus.DONE, TaskStatus.CANCELLED) or old is None or old.seat != swap.seat:
        swap.state = "void"
        raise DibsError(
            f"{mention(swap.from_user)} no longer holds that seat on #{task.id}, so there is nothing to take."
        )
    if not accept:
        swap.state = "declined"
        rules.audit(tx.session, task, user_id, "swap_declined", Via.BUTTON, tx.now, detail=swap.from_user)
        tx.changed(SwapDeclined(task, swap.from_user, user_id))
        return snapshot(task), swap.from_user
    check_may_claim(tx, team_id, task.id, task.kind, user_id)
    before = state_of(task)
    swap.state = "accepted"
    rules.give_seat(tx.session, task, user_id, old.seat, tx.now, replacing=old)
    tx.session.flush()
    rules.record(tx, task, user_id, "swapped", Via.BUTTON, detail=swap.from_user)
    calendars_follow(tx, task, before)
    tx.changed(SeatTaken(task, swap.from_user, user_id))
    return replace(snapshot(task), undo=keep(tx, task, user_id, "swapped", before)), swap.from_user


def swap_undelivered(tx: Tx, swap_id: int) -> Swap | None:
    """The question never reached the person asked (a bot, someone deactivated): the swap is off and the seat
    stays with whoever asked. The swap, if it was still waiting for an answer."""
    swap = tx.session.get(Swap, swap_id, with_for_update=True)
    if swap is None or swap.state != "asked":
        return None
    swap.state, swap.decided_at = "undelivered", tx.now
    task = tx.session.get(Task, swap.task_id)
    if task is not None:
        rules.audit(tx.session, task, "schedule", "swap_undelivered", Via.SCHEDULE, tx.now, detail=swap.to_user)
    return swap


def take_over(
    tx: Tx, team_id: str, task_id: int, actor: str, is_admin: bool, from_user: str, to_user: str,
    seen_from: str | None = None,
) -> TaskSnapshot:  # fmt: skip
    """`/dibs swap ID @from @to` by an admin or the poster: the seat moves now, and the thread says who moved it."""

    task = locked_task(tx.session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    if actor != task.posted_by and not is_admin:
        raise NotAllowed(
            f"Only {mention(task.posted_by)}, who posted #{task.id}, or a Dibs admin can move someone's seat; "
            f"`/dibs swap {task.id} @someone` asks someone to take yours."
        )
    old = _owner_claim(task, from_user)
    if old is None:
        owners = people([c.user_id for c in rules.owners(task)]) or "nobody yet"
        raise DibsError(f"{mention(from_user)} holds no seat on #{task.id}; its owners are {owners}.")
    if _owner_claim(task, to_user) is not None:
        raise DibsError(already_holds(to_user, actor, task.id))
    check_may_claim(tx, team_id, task.id, task.kind, to_user, actor)
    before = state_of(task)
    rules.give_seat(tx.session, task, to_user, old.seat, tx.now, replacing=old, placed_by=actor)
    tx.session.flush()
    rules.record(tx, task, actor, "taken_over", Via.COMMAND, detail=f"{from_user}>{to_user}")
    calendars_follow(tx, task, before)
    tx.changed(SeatGiven(task, to_user, "taken_over", by=actor, from_user=from_user))
    tx.changed(SeatTaken(task, from_user, to_user, by=actor))
    return replace(snapshot(task), undo=keep(tx, task, actor, "taken_over", before))


def post_rosters(svc: Services, now: datetime) -> int:
    """Rosters that are due go into their threads; free seats then escalate like an unclaimed task."""
    posted = 0
    with svc.transaction(now=now) as tx:
        for task in lock_tasks_for_roster(tx.session, now, limit=BATCH):
            if task.message_ts is None:  # its announcement is not posted yet: a minute later
                task.roster_at = now + timedelta(minutes=1)
                continue
            task.roster_at = None
            settings = tx.settings_for(task.team_id)
            tx.changed(RosterDue(task))
            rules.audit(tx.session, task, "schedule", "roster", Via.SCHEDULE, now)
            if task.status == TaskStatus.CLAIMED and seats.free_seats(task):
                task.open_since = now - settings.nag.escalate_after  # the next reminder calls the owner group
                task.nags_sent, task.poster_nagged = 0, True
                task.next_nag_at = first_nag_at(now, settings)
            posted += 1
    return posted

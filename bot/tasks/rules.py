"""The rules of a task, applied to a loaded and locked `Task` inside the caller's transaction.

Who may finish or hand over a task, what a claim does past the last free slot, who moves up
from the waitlist, and how the status and the reminder clocks follow. Every change is recorded
in the audit trail and bumps the task's version (its thread reply catches up with it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.slack.text import is_person, people
from bot.tasks import seats
from bot.tasks.changes import TaskChanged
from bot.tasks.clocks import keep_quiet_clock, start_nag_clock, stop_reminders, touched
from bot.tasks.errors import DibsError, NotAllowed
from bot.tasks.tx import Tx
from store.enums import ClaimRole, TaskStatus, Via
from store.models import Claim, Task, TaskEvent


def record(
    tx: Tx,
    task: Task,
    actor: str,
    action: str,
    via: Via,
    detail: str | None = None,
    bump: bool = True,
) -> None:
    """One row of the audit trail for a change to how the task reads: its version moves on (unless it was
    set already, as for a new task) and the change is recorded for the editor (the thread reply, the
    channel's list and the Home tabs showing it follow)."""
    if bump:
        task.version += 1
    audit(tx.session, task, actor, action, via, tx.now, detail)
    touched(task, actor, tx.now)
    tx.changed(TaskChanged(task, actor, action))


def audit(
    session: Session, task: Task, actor: str, action: str, via: Via, now: datetime, detail: str | None = None
) -> None:
    """One row of the audit trail for something that does not change how the task reads (a reminder sent)."""
    session.add(
        TaskEvent(task_id=task.id, team_id=task.team_id, actor=actor, action=action, via=via, detail=detail, at=now)
    )


def refuse_finished(task: Task) -> None:
    """Nothing but a release can happen to a done or cancelled task."""
    if task.status == TaskStatus.DONE:
        raise DibsError(f"#{task.id} is already done.")
    if task.status == TaskStatus.CANCELLED:
        raise DibsError(f"#{task.id} was cancelled.")


def owners(task: Task) -> list[Claim]:
    """The task's owners, in the order they took it."""
    return [c for c in task.claims if c.role == ClaimRole.OWNER]


def claim_of(task: Task, user_id: str) -> Claim | None:
    """`user_id`'s claim on the task (as owner or waiting), if any."""
    return next((c for c in task.claims if c.user_id == user_id), None)


def sync_status(session: Session, task: Task, now: datetime, settings: Settings) -> None:
    """Claimed while someone holds a seat (reminders stop), open again without (the nag clock restarts).
    Free seats still reminded about after the roster stop being so once every seat is held."""
    held = any(c.role in seats.HOLDING for c in task.claims)
    if held and task.status == TaskStatus.OPEN:
        task.status = TaskStatus.CLAIMED
        task.claimed_at = task.claimed_at or now
        task.nominee = None
        stop_reminders(session, task)
    elif not held and task.status == TaskStatus.CLAIMED:
        task.status = TaskStatus.OPEN
        start_nag_clock(task, now, settings)
    elif task.status == TaskStatus.CLAIMED and task.next_nag_at is not None and not seats.free_seats(task):
        stop_reminders(session, task)
    keep_quiet_clock(task, now, settings)


def give_seat(
    session: Session, task: Task, to_user: str, seat: str | None, now: datetime,
    replacing: Claim | None = None, placed_by: str | None = None,
) -> None:  # fmt: skip
    """`to_user` owns a seat of `seat` now (leaving any line they were in), in place of `replacing` if given."""
    for gone in {c for c in (claim_of(task, to_user), replacing) if c is not None}:
        task.claims.remove(gone)
    session.flush()  # the old rows go first: (task, person) is unique
    task.claims.append(Claim(user_id=to_user, role=ClaimRole.OWNER, seat=seat, created_at=now, placed_by=placed_by))


def add_claim(task: Task, user_id: str, now: datetime, seat: str | None = None) -> ClaimRole:
    """Give `user_id` a free seat of the role `seat`, else put them at the end of that role's waitlist."""
    role = ClaimRole.OWNER if seats.free(task, seat) > 0 else ClaimRole.WAITING
    task.claims.append(Claim(user_id=user_id, role=role, created_at=now, seat=seat))
    return role


def _who(task: Task) -> str:
    return people([c.user_id for c in owners(task)]) or "nobody yet"


def _or_poster(task: Task) -> str:
    """ " or @Ana, who posted it,": nothing when a feed, a calendar or a webhook posted it."""
    return f" or <@{task.posted_by}>, who posted it," if is_person(task.posted_by) else ""


def check_may_finish(task: Task, user_id: str) -> None:
    """Only its owners or the person who posted it may mark a task done."""
    if all(c.user_id != user_id for c in owners(task)) and user_id != task.posted_by:
        raise NotAllowed(f"Only the owners of #{task.id} ({_who(task)}){_or_poster(task)} can mark it done.")


MAX_SNOOZE = timedelta(days=90)
DUE_YEARS_AHEAD = 5


def check_snooze(pause: timedelta) -> None:
    """A snooze lasts at most 90 days."""
    if pause > MAX_SNOOZE:
        raise DibsError("A snooze lasts at most 90 days: write it like 30m, 4h, 2d or 90d.")


def _years_from(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes the 28th in a year without one)."""
    return day.replace(year=day.year + years, day=min(day.day, 28) if (day.month, day.day) == (2, 29) else day.day)


def check_due_date(due_on: date, today: date) -> None:
    """Due dates go from a year ago to five years ahead."""
    first, last = _years_from(today, -1), _years_from(today, DUE_YEARS_AHEAD)
    if not first <= due_on <= last:
        raise DibsError(
            f"Due dates go from {first.isoformat()} to {last.isoformat()}; {due_on.isoformat()} is outside."
        )


def check_may_change(task: Task, user_id: str, what: str) -> None:
    """Snoozing a task or dating it is for its owners and the person who posted it."""
    if all(c.user_id != user_id for c in owners(task)) and user_id != task.posted_by:
        raise NotAllowed(f"Only the owners of #{task.id} ({_who(task)}){_or_poster(task)} can {what}.")


def check_may_assign(task: Task, actor: str, target: str) -> Claim | None:
    """An owner hands over their own slot; the poster may fill a free one. Returns the actor's claim."""
    if any(c.user_id == target for c in owners(task)):
        raise DibsError(f"You already own #{task.id}." if target == actor else f"<@{target}> already owns #{task.id}.")
    mine = next((c for c in owners(task) if c.user_id == actor), None)
    if mine is None and actor != task.posted_by:
        raise NotAllowed(f"Only an owner of #{task.id} ({_who(task)}){_or_poster(task)} can hand it over.")
    if mine is None and not seats.free_seats(task):
        raise DibsError(
            f"#{task.id} has no free seat (owners: {_who(task)}); "
            "an owner can hand over their own seat with `/dibs assign`."
        )
    return mine

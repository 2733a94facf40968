"""Task services: create, claim, release, complete, hand over, snooze, date and look up follow-ups.

Each function works inside the caller's transaction (`Tx`, from `Services.transaction()`), applies
the rules in `bot.tasks.rules`, and returns plain data (`TaskSnapshot`). None of them talks to
Slack. Rules a user can break raise `DibsError` with a sentence meant for that user; the
transaction then changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.reminders.policy import local_day
from bot.reminders.timers import keep_quiet_clock, plan_due_steps, start_nag_clock, stop_reminders
from bot.services import Tx
from bot.slack.text import escape
from bot.tasks import rules
from bot.tasks.errors import DibsError, NeedsLink, TaskNotFound
from bot.tasks.model import AssignResult, ClaimResult, ReleaseResult, TaskSnapshot, snapshot
from store.enums import FINISHED, ClaimRole, TaskStatus, Via
from store.models import Claim, Task
from store.queries import tasks as queries
from store.queries.gifts import still_open
from store.queries.tasks import ListFilter

# How many ids a "no such task" answer lists before it says "and more".
IDS_SHOWN = 15
TITLE_STORED = 300
PROOF_STORED = 500


@dataclass(frozen=True)
class NewTask:
    """What a new task is made of: where its post is, who posted it, its kind and title."""

    team_id: str
    channel_id: str
    kind: str
    title: str
    slots: int
    posted_by: str
    message_ts: str | None  # None: Dibs posts the announcement itself, after the commit
    source: Via
    due_on: date | None = None
    private: bool = False


def _existing_ids(session: Session, team_id: str, seen_from: str | None) -> str:
    ids = queries.active_task_ids(session, team_id, IDS_SHOWN + 1, seen_from)
    if not ids:
        return "There are no open tasks in this workspace."
    shown = ", ".join(f"#{i}" for i in ids[:IDS_SHOWN])
    more = " and more (see `/dibs list`)" if len(ids) > IDS_SHOWN else ""
    return f"Open tasks: {shown}{more}."


def _found(session: Session, team_id: str, task_id: int, task: Task | None, seen_from: str | None) -> Task:
    """`task` if it can be seen from `seen_from`; a private channel's task is not there for anyone elsewhere."""
    if task is None or (task.private and seen_from is not None and seen_from != task.channel_id):
        raise TaskNotFound(f"There is no task #{task_id}. {_existing_ids(session, team_id, seen_from)}")
    return task


def gift_names(found: list[str], shown: int = 10) -> str:
    """A few recipients' names, then how many more (escaped: they come from a CSV)."""
    listed = ", ".join(escape(n) for n in found[:shown])
    return listed + (f" and {len(found) - shown} more" if len(found) > shown else "")


def locked_task(session: Session, team_id: str, task_id: int, seen_from: str | None = None) -> Task:
    """The task, locked for the transaction, if it can be seen from `seen_from`."""
    return _found(session, team_id, task_id, queries.lock_task(session, team_id, task_id), seen_from)


def create_task(tx: Tx, new: NewTask) -> TaskSnapshot | None:
    """Open a task for a message; None if that message already has one (Slack retried, say)."""
    if new.due_on is not None:
        rules.check_due_date(new.due_on, local_day(tx.now, tx.settings_for(new.team_id)))
    task = Task(
        team_id=new.team_id,
        channel_id=new.channel_id,
        kind=new.kind,
        title=new.title[:TITLE_STORED],
        slots=new.slots,
        posted_by=new.posted_by,
        source=new.source,
        message_ts=new.message_ts,
        status=TaskStatus.OPEN,
        version=1,  # "created" is its first change: the thread reply is behind from the start
        created_at=tx.now,
        claims=[],
        due_on=new.due_on,
        private=new.private,
    )
    start_nag_clock(task, tx.now, tx.settings_for(new.team_id))
    try:
        with tx.session.begin_nested():  # a savepoint: a second task for one post is refused, not an error
            tx.session.add(task)
            tx.session.flush()
    except IntegrityError:
        return None
    if new.due_on is not None:
        plan_due_steps(task, tx.now, tx.settings_for(new.team_id))
    rules.record(tx.session, task, new.posted_by, "created", new.source, tx.now, detail=new.kind, bump=False)
    return snapshot(task)


def set_due_date(
    tx: Tx, team_id: str, task_id: int, user_id: str, due_on: date | None, seen_from: str | None = None
) -> TaskSnapshot:
    """Give a task a due date (None clears it); owners are reminded before it."""
    task = locked_task(tx.session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    rules.check_may_change(task, user_id, "set its due date")
    if due_on is not None:
        rules.check_due_date(due_on, local_day(tx.now, tx.settings_for(team_id)))
    task.due_on = due_on
    task.next_due_at = None
    if due_on is not None:
        plan_due_steps(task, tx.now, tx.settings_for(team_id))
    keep_quiet_clock(task, tx.now, tx.settings_for(team_id))
    rules.record(tx.session, task, user_id, "due", Via.COMMAND, tx.now, detail=due_on.isoformat() if due_on else None)
    return snapshot(task)


def snooze_task(
    tx: Tx, team_id: str, task_id: int, user_id: str, until: datetime, seen_from: str | None = None
) -> TaskSnapshot:
    """Pause reminders for one task until `until`."""
    task = locked_task(tx.session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    rules.check_may_change(task, user_id, "snooze it")
    rules.check_snooze(until - tx.now)
    task.snoozed_until = until
    if task.next_nag_at is not None:
        stop_reminders(tx.session, task)  # calls off what is queued, and the clock...
        task.next_nag_at = until  # ...starts again when the snooze ends
    rules.record(tx.session, task, user_id, "snoozed", Via.COMMAND, tx.now, detail=until.isoformat())
    return snapshot(task)


def get_task(session: Session, team_id: str, task_id: int, seen_from: str | None = None) -> TaskSnapshot:
    """One task of this workspace, or TaskNotFound naming the ids that exist."""
    return snapshot(_found(session, team_id, task_id, queries.load_task(session, team_id, task_id), seen_from))


def claim_task(tx: Tx, team_id: str, task_id: int, user_id: str, via: Via, seen_from: str | None = None) -> ClaimResult:
    """Make `user_id` an owner if a slot is free, else put them at the end of the waitlist."""
    session, now = tx.session, tx.now
    task = locked_task(session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    mine = rules.claim_of(task, user_id)
    if mine is not None:
        return ClaimResult(snapshot(task), "already_owner" if mine.role == ClaimRole.OWNER else "already_waiting")
    role = rules.add_claim(task, user_id, now)
    rules.sync_status(session, task, now, tx.settings_for(team_id))
    rules.record(session, task, user_id, "claimed" if role == ClaimRole.OWNER else "waitlisted", via, now)
    session.flush()
    return ClaimResult(snapshot(task), "claimed" if role == ClaimRole.OWNER else "waitlisted")


def release_claim(
    tx: Tx, team_id: str, task_id: int, user_id: str, via: Via, seen_from: str | None = None
) -> ReleaseResult:
    """Drop `user_id` from the owners (promoting the first in line) or from the waitlist."""
    session, now = tx.session, tx.now
    task = locked_task(session, team_id, task_id, seen_from)
    mine = rules.claim_of(task, user_id)
    if mine is None or task.status in FINISHED:
        return ReleaseResult(snapshot(task), "not_claimed")
    was_owner = mine.role == ClaimRole.OWNER
    task.claims.remove(mine)
    session.flush()
    rules.record(session, task, user_id, "released" if was_owner else "left_waitlist", via, now)
    promoted = rules.promote_first_waiting(session, task, via, now) if was_owner else None
    rules.sync_status(session, task, now, tx.settings_for(team_id))
    session.flush()
    return ReleaseResult(snapshot(task), "released" if was_owner else "left_waitlist", promoted)


def complete_task(
    tx: Tx, team_id: str, task_id: int, user_id: str, via: Via, link: str | None = None, seen_from: str | None = None
) -> TaskSnapshot:
    """Mark a task done; only its owners or the person who posted it may, with proof where its kind needs it."""
    task = locked_task(tx.session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    rules.check_may_finish(task, user_id)
    open_gifts = still_open(tx.session, task.id) if task.kind == "gift_campaign" else []
    if open_gifts:
        raise DibsError(f"#{task.id} still waits on {len(open_gifts)} gift(s): {gift_names(open_gifts)}.")
    kind = tx.settings.kind(task.kind)
    if kind is not None and kind.done_needs_link and not link:
        raise NeedsLink(
            f"#{task.id} needs proof of done: a link or tracking number, like `/dibs done {task.id} LINK`.",
            snapshot(task),
        )
    task.status = TaskStatus.DONE
    task.done_at = tx.now
    task.next_due_at = None
    stop_reminders(tx.session, task)
    task.done_by = user_id
    task.done_link = link[:PROOF_STORED] if link else None
    rules.record(tx.session, task, user_id, "done", via, tx.now, detail=task.done_link)
    return snapshot(task)


def assign_task(
    tx: Tx, team_id: str, task_id: int, actor: str, target: str, via: Via, seen_from: str | None = None
) -> AssignResult:
    """Hand a task over: an owner gives their slot to `target`; the poster may fill a free slot."""
    session, now = tx.session, tx.now
    task = locked_task(session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    mine = rules.check_may_assign(task, actor, target)
    theirs = rules.claim_of(task, target)
    if theirs is not None:  # they were waiting in line: they skip it
        task.claims.remove(theirs)
        session.flush()
    if mine is not None:
        task.claims.remove(mine)
        session.flush()
    task.claims.append(Claim(user_id=target, role=ClaimRole.OWNER, created_at=now))
    rules.sync_status(session, task, now, tx.settings_for(team_id))
    rules.record(session, task, actor, "assigned", via, now, detail=target)
    session.flush()
    return AssignResult(snapshot(task), actor if mine is not None else None)


def list_tasks(
    session: Session,
    team_id: str,
    which: ListFilter,
    user_id: str,
    limit: int = 50,
    seen_from: str | None = None,
    kind: str | None = None,
) -> tuple[list[TaskSnapshot], int]:
    """Tasks of this workspace for `/dibs list` (seen from its channel, of one kind if given) and App Home."""
    rows, total = queries.list_tasks(session, team_id, which, user_id, limit, seen_from, kind)
    return [snapshot(t) for t in rows], total


def cancel_task(tx: Tx, team_id: str, channel_id: str, message_ts: str, why: str) -> TaskSnapshot | None:
    """Cancel the open or claimed task of the post `message_ts`; None if there is none."""
    found = queries.task_id_by_post(tx.session, team_id, channel_id, message_ts)
    task = queries.lock_task(tx.session, team_id, found) if found is not None else None
    if task is None or task.status in FINISHED:
        return None
    task.status = TaskStatus.CANCELLED
    task.next_due_at = None
    stop_reminders(tx.session, task)
    rules.record(tx.session, task, "slack", "cancelled", Via.MESSAGE, tx.now, detail=why)
    return snapshot(task)

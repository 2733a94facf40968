"""Task services: create, claim, release, complete, hand over, snooze, date and look up follow-ups.

Each function works inside the caller's transaction (`Tx`, from `Services.transaction()`), applies
the rules in `bot.tasks.rules`, and returns plain data (`TaskSnapshot`). None of them talks to
Slack. Rules a user can break raise `DibsError` with a sentence meant for that user; the
transaction then changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.slack.text import escape, plural
from bot.tasks import event, rules, seats, undo
from bot.tasks.clocks import keep_quiet_clock, plan_due_steps, start_nag_clock, stop_reminders
from bot.tasks.errors import DibsError, NeedsLink
from bot.tasks.lookup import found, locked_task
from bot.tasks.model import TaskSnapshot, snapshot
from bot.tasks.tx import Tx
from bot.timing import local_day
from store.enums import FINISHED, TaskStatus, Via
from store.models import Task
from store.queries import tasks as queries
from store.queries.gifts import still_open
from store.queries.tasks import ListFilter

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


def gift_names(found: list[str], shown: int = 10) -> str:
    """A few recipients' names, then how many more (escaped: they come from a CSV)."""
    listed = ", ".join(escape(n) for n in found[:shown])
    return listed + (f" and {len(found) - shown} more" if len(found) > shown else "")


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
    kind = tx.settings.kind(new.kind)
    if kind is not None and kind.roles:
        seats.set_plan(task, seats.seats_from_text(kind, new.title))
    start_nag_clock(task, tx.now, tx.settings_for(new.team_id))
    event.plan_roster(task, tx.now, tx.settings_for(new.team_id), new=True)
    try:
        with tx.session.begin_nested():  # a savepoint: a second task for one post is refused, not an error
            tx.session.add(task)
            tx.session.flush()
    except IntegrityError:
        return None
    if new.due_on is not None:
        plan_due_steps(task, tx.now, tx.settings_for(new.team_id))
    rules.record(tx, task, new.posted_by, "created", new.source, detail=new.kind, bump=False)
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
    moved = task.due_on != due_on
    task.due_on = due_on
    task.next_due_at = None
    if due_on is not None:
        plan_due_steps(task, tx.now, tx.settings_for(team_id))
    if moved:  # a timed event moves to the new day at the same hours; its calendars and roster follow
        event.move_to_day(task, due_on, tx.settings_for(team_id))
        event.time_changed(tx, task)
    keep_quiet_clock(task, tx.now, tx.settings_for(team_id))
    rules.record(tx, task, user_id, "due", Via.COMMAND, detail=due_on.isoformat() if due_on else None)
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
    rules.record(tx, task, user_id, "snoozed", Via.COMMAND, detail=until.isoformat())
    return snapshot(task)


def get_task(session: Session, team_id: str, task_id: int, seen_from: str | None = None) -> TaskSnapshot:
    """One task of this workspace, or TaskNotFound naming the ids that exist."""
    return snapshot(found(session, team_id, task_id, queries.load_task(session, team_id, task_id), seen_from))


def complete_task(
    tx: Tx, team_id: str, task_id: int, user_id: str, via: Via, link: str | None = None, seen_from: str | None = None
) -> TaskSnapshot:
    """Mark a task done; only its owners or the person who posted it may, with proof where its kind needs it."""
    task = locked_task(tx.session, team_id, task_id, seen_from)
    rules.refuse_finished(task)
    rules.check_may_finish(task, user_id)
    before = undo.before(task, via)
    open_gifts = still_open(tx.session, task.id) if task.kind == "gift_campaign" else []
    if open_gifts:
        raise DibsError(f"#{task.id} still waits on {plural(len(open_gifts), 'gift')}: {gift_names(open_gifts)}.")
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
    rules.record(tx, task, user_id, "done", via, detail=task.done_link)
    return replace(snapshot(task), undo=undo.keep(tx, task, user_id, "done", before, via))


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
    return cancel_task_id(tx, team_id, found, why) if found is not None else None


def cancel_task_id(
    tx: Tx, team_id: str, task_id: int, why: str, actor: str = "slack", via: Via = Via.MESSAGE
) -> TaskSnapshot | None:
    """Cancel the open or claimed task `task_id` (its post deleted, its event cancelled in the team's calendar);
    None if it is gone or finished already."""
    task = queries.lock_task(tx.session, team_id, task_id)
    if task is None or task.status in FINISHED:
        return None
    cancel_locked(tx, task, why, actor, via)
    return snapshot(task)


def cancel_locked(tx: Tx, task: Task, why: str, actor: str, via: Via) -> None:
    """Cancel `task`, locked by the caller and neither done nor cancelled: its reminders stop and its owners'
    calendar entries are cancelled."""
    before = undo.state_of(task)
    task.status = TaskStatus.CANCELLED
    task.next_due_at = None
    stop_reminders(tx.session, task)
    rules.record(tx, task, actor, "cancelled", via, detail=why)
    event.calendars_follow(tx, task, before)  # the owners' calendar entries are cancelled

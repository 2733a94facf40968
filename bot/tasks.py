"""Task services: create, claim, release, complete, hand over and list follow-ups.

Each public function opens its own transaction, enforces the rules, records the transition in
the audit trail and returns plain data (`TaskSnapshot`). None of them talks to Slack. Rules a
user can break raise `DibsError` with a sentence meant for that user.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.policy import due_steps_passed, first_nag_at
from bot.settings import Settings
from store.models import (
    CANCELLED,
    CANCELLED_POST,
    CLAIMED,
    DONE,
    OPEN,
    OWNER,
    PENDING,
    WAITING,
    Claim,
    OutboxPost,
    Task,
    TaskEvent,
    utcnow,
)

DEFAULTS = Settings()
# Outbox purposes that only make sense while a task is unclaimed.
NAG_PURPOSES = ("nag", "poster_dm")

Via = Literal["reaction", "button", "command", "message", "modal", "schedule"]
ListFilter = Literal["open", "unclaimed", "mine", "all"]
# How many ids a "no such task" answer lists before it says "and N more".
IDS_SHOWN = 15


class DibsError(Exception):
    """A rule the user broke; `str(error)` is the sentence to show them."""


class TaskNotFound(DibsError):
    """No task with that id in this workspace."""


class NotAllowed(DibsError):
    """The user may not do this to this task."""


class NeedsLink(DibsError):
    """This kind needs proof of done (a link) before it can be completed; `task` is the task."""

    def __init__(self, message: str, task: TaskSnapshot) -> None:
        super().__init__(message)
        self.task = task


@dataclass(frozen=True)
class TaskSnapshot:
    """What a task looks like after a change: everything views and handlers need."""

    id: int
    team_id: str
    channel_id: str
    kind: str
    title: str
    status: str
    slots: int
    posted_by: str
    source: str
    message_ts: str
    reply_ts: str | None
    permalink: str | None
    done_link: str | None
    created_at: datetime
    claimed_at: datetime | None
    done_at: datetime | None
    owners: tuple[str, ...]
    waitlist: tuple[str, ...]
    version: int
    done_by: str | None
    due_on: date | None = None
    snoozed_until: datetime | None = None

    @property
    def is_finished(self) -> bool:
        return self.status in (DONE, CANCELLED)

    @property
    def free_slots(self) -> int:
        return max(self.slots - len(self.owners), 0)


@dataclass(frozen=True)
class ClaimResult:
    task: TaskSnapshot
    outcome: Literal["claimed", "waitlisted", "already_owner", "already_waiting"]


@dataclass(frozen=True)
class ReleaseResult:
    task: TaskSnapshot
    outcome: Literal["released", "left_waitlist", "not_claimed"]
    promoted: str | None = None


@dataclass(frozen=True)
class AssignResult:
    task: TaskSnapshot
    replaced: str | None


def snapshot(task: Task) -> TaskSnapshot:
    """Freeze a loaded task (with its claims) into plain data."""
    return TaskSnapshot(
        id=task.id,
        team_id=task.team_id,
        channel_id=task.channel_id,
        kind=task.kind,
        title=task.title,
        status=task.status,
        slots=task.slots,
        posted_by=task.posted_by,
        source=task.source,
        message_ts=task.message_ts,
        reply_ts=task.reply_ts,
        permalink=task.permalink,
        done_link=task.done_link,
        created_at=task.created_at,
        claimed_at=task.claimed_at,
        done_at=task.done_at,
        owners=tuple(c.user_id for c in task.claims if c.role == OWNER),
        waitlist=tuple(c.user_id for c in task.claims if c.role == WAITING),
        version=task.version,
        done_by=task.done_by,
        due_on=task.due_on,
        snoozed_until=task.snoozed_until,
    )


def _record(session: Session, task: Task, actor: str, action: str, via: Via, detail: str | None = None) -> None:
    task.version += 1
    session.add(TaskEvent(task_id=task.id, team_id=task.team_id, actor=actor, action=action, via=via, detail=detail))


def _existing_ids(session: Session, team_id: str) -> str:
    ids = session.scalars(
        select(Task.id)
        .where(Task.team_id == team_id, Task.status.in_((OPEN, CLAIMED)))
        .order_by(Task.id)
        .limit(IDS_SHOWN + 1)
    ).all()
    if not ids:
        return "There are no open tasks in this workspace."
    shown = ", ".join(f"#{i}" for i in ids[:IDS_SHOWN])
    more = " and more (see `/dibs list`)" if len(ids) > IDS_SHOWN else ""
    return f"Open tasks: {shown}{more}."


def _locked_task(session: Session, team_id: str, task_id: int) -> Task:
    """Load a task and lock its row for the rest of the transaction (FOR UPDATE / BEGIN IMMEDIATE)."""
    task = session.scalars(
        select(Task).where(Task.team_id == team_id, Task.id == task_id).with_for_update()
    ).one_or_none()
    if task is None:
        raise TaskNotFound(f"There is no task #{task_id}. {_existing_ids(session, team_id)}")
    session.refresh(task, ["claims"])
    return task


def _refuse_finished(task: Task) -> None:
    if task.status == DONE:
        raise DibsError(f"#{task.id} is already done.")
    if task.status == CANCELLED:
        raise DibsError(f"#{task.id} was cancelled.")


def _owners(task: Task) -> list[Claim]:
    return [c for c in task.claims if c.role == OWNER]


def _stop_reminders(session: Session, task: Task) -> None:
    """A claimed or finished task is nagged no more; reminders not yet sent are called off."""
    task.next_nag_at = None
    session.execute(
        update(OutboxPost)
        .where(OutboxPost.task_id == task.id, OutboxPost.state == PENDING, OutboxPost.purpose.in_(NAG_PURPOSES))
        .values(state=CANCELLED_POST)
    )


def _open_clock(task: Task, settings: Settings) -> None:
    """(Re)start the nag clock: releasing a task restarts it."""
    now = utcnow()
    task.open_since = now
    task.nags_sent = 0
    task.poster_nagged = False
    task.next_nag_at = max(first_nag_at(now, settings), task.snoozed_until or now)


def _sync_status(session: Session, task: Task, settings: Settings) -> None:
    has_owner = bool(_owners(task))
    if has_owner and task.status == OPEN:
        task.status = CLAIMED
        task.claimed_at = task.claimed_at or utcnow()
        _stop_reminders(session, task)
    elif not has_owner and task.status == CLAIMED:
        task.status = OPEN
        _open_clock(task, settings)


def create_task(
    db: sessionmaker[Session],
    *,
    team_id: str,
    channel_id: str,
    kind: str,
    title: str,
    slots: int,
    posted_by: str,
    message_ts: str,
    source: Via,
    settings: Settings = DEFAULTS,
    due_on: date | None = None,
) -> TaskSnapshot | None:
    """Open a task for a message; None if that message already has one (Slack retried, say)."""
    try:
        with db.begin() as session:
            task = Task(
                team_id=team_id,
                channel_id=channel_id,
                kind=kind,
                title=title[:300],
                slots=slots,
                posted_by=posted_by,
                source=source,
                message_ts=message_ts,
                status=OPEN,
                version=0,
                created_at=utcnow(),
                claims=[],
                due_on=due_on,
            )
            _open_clock(task, settings)
            session.add(task)
            session.flush()
            if due_on is not None:
                _plan_due(task, settings)
            _record(session, task, posted_by, "created", source, detail=kind)
            return snapshot(task)
    except IntegrityError:
        return None


def _plan_due(task: Task, settings: Settings) -> None:
    """Schedule the due-date steps still ahead (steps already past when the date is set are skipped)."""
    assert task.due_on is not None
    task.due_reminders_sent, task.next_due_at = due_steps_passed(task.due_on, utcnow(), settings)


def set_due_date(
    db: sessionmaker[Session], settings: Settings, team_id: str, task_id: int, user_id: str, due_on: date | None
) -> TaskSnapshot:
    """Give a task a due date (None clears it); owners are reminded before it."""
    with db.begin() as session:
        task = _locked_task(session, team_id, task_id)
        _refuse_finished(task)
        task.due_on = due_on
        task.next_due_at = None
        if due_on is not None:
            _plan_due(task, settings)
        _record(session, task, user_id, "due", "command", detail=due_on.isoformat() if due_on else None)
        return snapshot(task)


def snooze_task(db: sessionmaker[Session], team_id: str, task_id: int, user_id: str, until: datetime) -> TaskSnapshot:
    """Pause reminders for one task until `until`."""
    with db.begin() as session:
        task = _locked_task(session, team_id, task_id)
        _refuse_finished(task)
        task.snoozed_until = until
        if task.next_nag_at is not None:
            _stop_reminders(session, task)  # calls off what is queued, and the clock...
            task.next_nag_at = until  # ...starts again when the snooze ends
        _record(session, task, user_id, "snoozed", "command", detail=until.isoformat())
        return snapshot(task)


def get_task(db: sessionmaker[Session], team_id: str, task_id: int) -> TaskSnapshot:
    """One task of this workspace, or TaskNotFound naming the ids that exist."""
    with db.begin() as session:
        task = session.scalars(
            select(Task).options(selectinload(Task.claims)).where(Task.team_id == team_id, Task.id == task_id)
        ).one_or_none()
        if task is None:
            raise TaskNotFound(f"There is no task #{task_id}. {_existing_ids(session, team_id)}")
        return snapshot(task)


def find_task_id_by_ts(db: sessionmaker[Session], team_id: str, channel_id: str, ts: str) -> int | None:
    """The task whose original post or whose thread reply has this ts (reactions carry only that)."""
    with db.begin() as session:
        return session.scalars(
            select(Task.id).where(
                Task.team_id == team_id,
                Task.channel_id == channel_id,
                or_(Task.message_ts == ts, Task.reply_ts == ts),
            )
        ).first()


def claim_task(
    db: sessionmaker[Session], team_id: str, task_id: int, user_id: str, via: Via, settings: Settings = DEFAULTS
) -> ClaimResult:
    """Make `user_id` an owner if a slot is free, else put them at the end of the waitlist."""
    with db.begin() as session:
        task = _locked_task(session, team_id, task_id)
        _refuse_finished(task)
        mine = next((c for c in task.claims if c.user_id == user_id), None)
        if mine is not None:
            outcome: Literal["already_owner", "already_waiting"] = (
                "already_owner" if mine.role == OWNER else "already_waiting"
            )
            return ClaimResult(snapshot(task), outcome)
        role = OWNER if len(_owners(task)) < task.slots else WAITING
        task.claims.append(Claim(user_id=user_id, role=role, created_at=utcnow()))
        _sync_status(session, task, settings)
        _record(session, task, user_id, "claimed" if role == OWNER else "waitlisted", via)
        session.flush()
        return ClaimResult(snapshot(task), "claimed" if role == OWNER else "waitlisted")


def _promote_first_waiting(session: Session, task: Task, via: Via) -> str | None:
    waiting = [c for c in task.claims if c.role == WAITING]
    if not waiting or len(_owners(task)) >= task.slots:
        return None
    first = min(waiting, key=lambda c: c.id)
    first.role = OWNER
    _record(session, task, first.user_id, "promoted", via)
    return first.user_id


def release_claim(
    db: sessionmaker[Session], team_id: str, task_id: int, user_id: str, via: Via, settings: Settings = DEFAULTS
) -> ReleaseResult:
    """Drop `user_id` from the owners (promoting the first in line) or from the waitlist."""
    with db.begin() as session:
        task = _locked_task(session, team_id, task_id)
        mine = next((c for c in task.claims if c.user_id == user_id), None)
        if mine is None or task.status in (DONE, CANCELLED):
            return ReleaseResult(snapshot(task), "not_claimed")
        was_owner = mine.role == OWNER
        task.claims.remove(mine)
        session.flush()
        _record(session, task, user_id, "released" if was_owner else "left_waitlist", via)
        promoted = _promote_first_waiting(session, task, via) if was_owner else None
        _sync_status(session, task, settings)
        session.flush()
        return ReleaseResult(snapshot(task), "released" if was_owner else "left_waitlist", promoted)


def complete_task(
    db: sessionmaker[Session],
    team_id: str,
    task_id: int,
    user_id: str,
    via: Via,
    *,
    needs_link: bool | Callable[[str], bool],
    link: str | None = None,
) -> TaskSnapshot:
    """Mark a task done; only its owners or the person who posted it may.

    `needs_link` says whether proof is required, or is asked with the task's kind.
    """
    with db.begin() as session:
        task = _locked_task(session, team_id, task_id)
        _refuse_finished(task)
        owners = [c.user_id for c in _owners(task)]
        if user_id not in owners and user_id != task.posted_by:
            who = ", ".join(f"<@{u}>" for u in owners) or "nobody yet"
            raise NotAllowed(
                f"Only the owners of #{task.id} ({who}) or <@{task.posted_by}>, who posted it, can mark it done."
            )
        if (needs_link(task.kind) if callable(needs_link) else needs_link) and not link:
            raise NeedsLink(
                f"#{task.id} needs proof of done: a link or tracking number, like `/dibs done {task.id} LINK`.",
                snapshot(task),
            )
        task.status = DONE
        task.done_at = utcnow()
        task.next_due_at = None
        _stop_reminders(session, task)
        task.done_by = user_id
        task.done_link = link[:500] if link else None
        _record(session, task, user_id, "done", via, detail=task.done_link)
        return snapshot(task)


def assign_task(
    db: sessionmaker[Session],
    team_id: str,
    task_id: int,
    actor: str,
    target: str,
    via: Via,
    settings: Settings = DEFAULTS,
) -> AssignResult:
    """Hand a task over: an owner gives their slot to `target`; the poster may fill a free slot."""
    with db.begin() as session:
        task = _locked_task(session, team_id, task_id)
        _refuse_finished(task)
        owners = _owners(task)
        if any(c.user_id == target for c in owners):
            raise DibsError(f"<@{target}> already owns #{task.id}.")
        mine = next((c for c in owners if c.user_id == actor), None)
        if mine is None and actor != task.posted_by:
            who = ", ".join(f"<@{c.user_id}>" for c in owners) or "nobody yet"
            raise NotAllowed(
                f"Only an owner of #{task.id} ({who}) or <@{task.posted_by}>, who posted it, can hand it over."
            )
        if mine is None and len(owners) >= task.slots:
            raise DibsError(
                f"#{task.id} has no free slot (owners: {', '.join(f'<@{c.user_id}>' for c in owners)}); "
                "an owner can hand over their own slot with `/dibs assign`."
            )
        theirs = next((c for c in task.claims if c.user_id == target), None)
        if theirs is not None:  # they were waiting in line: they skip it
            task.claims.remove(theirs)
            session.flush()
        if mine is not None:
            task.claims.remove(mine)
            session.flush()
        task.claims.append(Claim(user_id=target, role=OWNER, created_at=utcnow()))
        _sync_status(session, task, settings)
        _record(session, task, actor, "assigned", via, detail=target)
        session.flush()
        return AssignResult(snapshot(task), actor if mine is not None else None)


def _list_query(team_id: str, which: ListFilter, user_id: str) -> Select[Task]:
    query = select(Task).options(selectinload(Task.claims)).where(Task.team_id == team_id)
    if which == "unclaimed":
        return query.where(Task.status == OPEN).order_by(Task.created_at, Task.id)
    if which == "mine":
        mine = select(Claim.task_id).where(Claim.user_id == user_id)
        return query.where(Task.status.in_((OPEN, CLAIMED)), Task.id.in_(mine)).order_by(Task.created_at, Task.id)
    if which == "all":
        return query.order_by(Task.id.desc())
    return query.where(Task.status.in_((OPEN, CLAIMED))).order_by(Task.created_at, Task.id)


def list_tasks(
    db: sessionmaker[Session], team_id: str, which: ListFilter, user_id: str, limit: int = 50
) -> tuple[list[TaskSnapshot], int]:
    """Tasks of this workspace for `/dibs list` and App Home, plus how many matched in all."""
    query = _list_query(team_id, which, user_id)
    with db.begin() as session:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        rows: Sequence[Task] = session.scalars(query.limit(limit)).all()
        return [snapshot(t) for t in rows], total


def tasks_needing_thread_sync(
    db: sessionmaker[Session], older_than: datetime, limit: int = 50
) -> list[tuple[str, int]]:
    """(team, task) pairs whose thread reply is missing or stale and that nobody is syncing now."""
    with db.begin() as session:
        return [
            (team_id, task_id)
            for team_id, task_id in session.execute(
                select(Task.team_id, Task.id)
                .where(
                    Task.thread_version < Task.version,
                    Task.created_at <= older_than,
                    or_(Task.thread_lease_until.is_(None), Task.thread_lease_until < utcnow()),
                )
                .order_by(Task.id)
                .limit(limit)
            ).all()
        ]

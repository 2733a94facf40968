"""The scheduler's planning: which reminders, due-date pings and digests are due now, into the outbox.

Each planner claims due rows with `FOR UPDATE SKIP LOCKED` (on SQLite the whole transaction
holds the write lock), records what to send and moves the row's clock on in the same
transaction, so a restart neither skips a due reminder nor sends one twice, and two processes
never plan the same one. Sending is `bot.outbox.send_due_posts`, after the commit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.digest import DigestData
from bot.digest_view import build_digest
from bot.outbox import insert_ignore, queue_post, take_ping
from bot.policy import (
    Step,
    due_steps_passed,
    escalation,
    following_nag_at,
    in_working_hours,
    local_day,
    next_working_moment,
)
from bot.reminder_views import coalesced_line, coalesced_text, due_text, folded_line, nag_text, poster_dm_text
from bot.settings import Settings
from bot.tasks import snapshot
from bot.views import Message, linked_title
from store.models import (
    CLAIMED,
    DIGESTED,
    DONE,
    FOLDED,
    OPEN,
    OWNER,
    DigestRun,
    OutboxPost,
    Task,
    WatchedChannel,
)

BATCH = 500
# How much of each list a digest gathers; the view says how many more there are.
DIGEST_ROWS = 100


def _clock_start(task: Task) -> datetime:
    """When the task last became unclaimed: its nag clock and escalation count from then."""
    return task.open_since or task.created_at


def _due_tasks(session: Session, *conditions: object) -> list[Task]:
    return list(
        session.scalars(
            select(Task)
            .options(selectinload(Task.claims))
            .where(*conditions)  # type: ignore[arg-type]
            .order_by(Task.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True, of=Task)
        ).all()
    )


def _muted(session: Session, team_id: str, channel_id: str) -> bool:
    watched = session.get(WatchedChannel, {"team_id": team_id, "channel_id": channel_id})
    return bool(watched and watched.muted)


def _queue_poster_dm(session: Session, task: Task, now: datetime, settings: Settings) -> None:
    text = poster_dm_text(task.id, linked_title(snapshot(task)), task.channel_id, _clock_start(task), now)
    within = take_ping(session, task.team_id, task.posted_by, local_day(now, settings), settings.nag.max_pings_per_day)
    queue_post(
        session,
        team_id=task.team_id,
        channel_id=task.posted_by,
        recipient=task.posted_by,
        text=text,
        purpose="poster_dm",
        task_id=task.id,
        dedupe_key=f"poster:{task.id}:{_clock_start(task).isoformat()}",
        state="pending" if within else FOLDED,
    )
    task.poster_nagged = True


def _queue_channel_nags(session: Session, tasks: list[Task], now: datetime, settings: Settings) -> None:
    """Thread replies for a few due tasks; one coalesced channel message for more than `coalesce_over`."""
    steps = {t.id: escalation(_clock_start(t), now, settings) for t in tasks}
    first = tasks[0]
    if len(tasks) > settings.nag.coalesce_over:
        lines = [coalesced_line(t.id, t.kind, linked_title(snapshot(t)), _clock_start(t), now) for t in tasks]
        loudest = max(steps.values())
        loud_kind = settings.kind(next(t.kind for t in tasks if steps[t.id] == loudest))
        queue_post(
            session,
            team_id=first.team_id,
            channel_id=first.channel_id,
            text=coalesced_text(lines, loudest, loud_kind),
            purpose="nag_batch",
            dedupe_key=f"nags:{first.team_id}:{first.channel_id}:{now:%Y%m%dT%H%M%S}:{first.id}",
        )
    else:
        for task in tasks:
            queue_post(
                session,
                team_id=task.team_id,
                channel_id=task.channel_id,
                thread_ts=task.message_ts,
                text=nag_text(task.id, _clock_start(task), now, steps[task.id], settings.kind(task.kind), settings),
                purpose="nag",
                task_id=task.id,
                dedupe_key=f"nag:{task.id}:{task.nags_sent + 1}:{_clock_start(task).isoformat()}",
            )
    for task in tasks:
        if steps[task.id] >= Step.DM_POSTER and not task.poster_nagged:
            _queue_poster_dm(session, task, now, settings)


def plan_nags(db: sessionmaker[Session], settings: Settings, now: datetime) -> int:
    """Queue reminders for unclaimed tasks that are due; returns how many tasks were reminded."""
    with db.begin() as session:
        tasks = _due_tasks(session, Task.status == OPEN, Task.next_nag_at <= now)
        if not tasks:
            return 0
        if not in_working_hours(now, settings.working_hours, settings.tz):
            for task in tasks:  # due at night (say, after a restart): wait for the morning
                task.next_nag_at = next_working_moment(now, settings.working_hours, settings.tz)
            return 0
        by_channel: dict[tuple[str, str], list[Task]] = defaultdict(list)
        for task in tasks:
            by_channel[(task.team_id, task.channel_id)].append(task)
        reminded = 0
        for (team_id, channel_id), group in by_channel.items():
            if not _muted(session, team_id, channel_id):
                _queue_channel_nags(session, group, now, settings)
                reminded += len(group)
            for task in group:
                task.nags_sent += 1
                task.next_nag_at = following_nag_at(now, settings)
        return reminded


def plan_due_dates(db: sessionmaker[Session], settings: Settings, now: datetime) -> list[tuple[str, int]]:
    """Queue owners' reminders before due dates; returns tasks whose thread must now show them overdue."""
    turned_overdue: list[tuple[str, int]] = []
    with db.begin() as session:
        for task in _due_tasks(session, Task.status.in_((OPEN, CLAIMED)), Task.next_due_at <= now):
            assert task.due_on is not None
            passed, upcoming = due_steps_passed(task.due_on, now, settings)
            latest = passed - 1
            if latest >= len(settings.nag.due_reminders):
                task.version += 1  # the thread re-renders and shows it overdue
                turned_overdue.append((task.team_id, task.id))
            elif task.status == CLAIMED and passed > task.due_reminders_sent:
                _queue_due_reminder(session, task, latest, now, settings)
            task.due_reminders_sent, task.next_due_at = passed, upcoming
    return turned_overdue


def _queue_due_reminder(session: Session, task: Task, step: int, now: datetime, settings: Settings) -> None:
    owners = [c.user_id for c in task.claims if c.role == OWNER]
    today = local_day(now, settings)
    cap = settings.nag.max_pings_per_day
    pinged = [o for o in owners if take_ping(session, task.team_id, o, today, cap)]
    held = [o for o in owners if o not in pinged]
    assert task.due_on is not None
    common: dict[str, Any] = {
        "team_id": task.team_id,
        "channel_id": task.channel_id,
        "task_id": task.id,
        "purpose": "due",
    }
    if pinged:
        queue_post(
            session,
            **common,
            thread_ts=task.message_ts,
            text=due_text(task.id, pinged, task.due_on, today),
            dedupe_key=f"due:{task.id}:{step}:{task.due_on}",
        )
    if held:
        queue_post(
            session,
            **common,
            text=due_text(task.id, held, task.due_on, today),
            state=FOLDED,
            dedupe_key=f"due-held:{task.id}:{step}:{task.due_on}",
        )


def _median_time_to_claim(session: Session, team_id: str, channel_id: str, now: datetime) -> timedelta | None:
    rows = session.execute(
        select(Task.created_at, Task.claimed_at).where(
            Task.team_id == team_id, Task.channel_id == channel_id, Task.claimed_at >= now - timedelta(days=7)
        )
    ).all()
    waits = [(claimed - created).total_seconds() for created, claimed in rows if claimed is not None]
    return timedelta(seconds=median(waits)) if waits else None


def collect_digest(
    session: Session,
    settings: Settings,
    team_id: str,
    channel_id: str,
    now: datetime,
    since: datetime,
    take_held: bool = True,
) -> DigestData:
    """Gather one channel's digest; reminders held back by the noise budget are taken into it."""
    day = local_day(now, settings)
    in_channel = (Task.team_id == team_id, Task.channel_id == channel_id)

    def listed(*conditions: object, order: object = Task.created_at) -> tuple[list, int]:
        query = select(Task).options(selectinload(Task.claims)).where(*in_channel, *conditions)  # type: ignore[arg-type]
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(order, Task.id).limit(DIGEST_ROWS)).all()  # type: ignore[arg-type]
        return [snapshot(t) for t in rows], total

    unclaimed, unclaimed_total = listed(Task.status == OPEN)
    taken, taken_total = listed(Task.status == CLAIMED)
    overdue, overdue_total = listed(Task.status.in_((OPEN, CLAIMED)), Task.due_on < day, order=Task.due_on)
    done, done_total = listed(Task.status == DONE, Task.done_at > since, order=Task.done_at.desc())
    held = session.scalars(
        select(OutboxPost)
        .join(Task, OutboxPost.task_id == Task.id)
        .where(*in_channel, OutboxPost.state == FOLDED)
        .order_by(OutboxPost.id)
        .with_for_update(of=OutboxPost)
    ).all()
    for post in held if take_held else ():
        post.state = DIGESTED
    return DigestData(
        channel_id=channel_id,
        day=day,
        unclaimed=unclaimed,
        unclaimed_total=unclaimed_total,
        taken=taken,
        taken_total=taken_total,
        overdue=overdue,
        overdue_total=overdue_total,
        done=done,
        done_total=done_total,
        median_time_to_claim=_median_time_to_claim(session, team_id, channel_id, now),
        folded=[folded_line(p.text) for p in held],
    )


def _last_digest_at(session: Session, team_id: str, channel_id: str, before_day: object) -> datetime | None:
    return session.scalar(
        select(func.max(DigestRun.created_at)).where(
            DigestRun.team_id == team_id, DigestRun.channel_id == channel_id, DigestRun.day < before_day
        )
    )


def plan_digests(db: sessionmaker[Session], settings: Settings, now: datetime, due: bool) -> int:
    """Queue today's digest for every watched channel that has none yet; returns how many were queued."""
    if not due:
        return 0
    day = local_day(now, settings)
    done_today = select(DigestRun.team_id, DigestRun.channel_id).where(DigestRun.day == day)
    with db.begin() as session:
        channels = session.execute(
            select(WatchedChannel.team_id, WatchedChannel.channel_id).where(
                tuple_(WatchedChannel.team_id, WatchedChannel.channel_id).not_in(done_today)
            )
        ).all()
    queued = 0
    for team_id, channel_id in channels:
        with db.begin() as session:
            if not insert_ignore(session, DigestRun, team_id=team_id, channel_id=channel_id, day=day, created_at=now):
                continue  # another process (or an earlier run today) has it
            since = _last_digest_at(session, team_id, channel_id, day) or now - timedelta(days=1)
            message = build_digest(
                collect_digest(session, settings, team_id, channel_id, now, since), now, settings.digest.when_empty
            )
            if message is None:
                continue
            queue_post(
                session,
                team_id=team_id,
                channel_id=channel_id,
                text=message.text,
                purpose="digest",
                blocks=[b.to_dict() for b in message.blocks],
                dedupe_key=f"digest:{team_id}:{channel_id}:{day}",
            )
            queued += 1
    return queued


def digest_on_demand(
    db: sessionmaker[Session], settings: Settings, team_id: str, channel_id: str, now: datetime, preview: bool
) -> Message:
    """`/dibs digest`: the digest as it stands now (a preview leaves held-back pings for the daily one)."""
    with db.begin() as session:
        day = local_day(now, settings)
        since = _last_digest_at(session, team_id, channel_id, day + timedelta(days=1)) or now - timedelta(days=1)
        data = collect_digest(session, settings, team_id, channel_id, now, since, take_held=not preview)
    message = build_digest(data, now, "one_line")
    assert message is not None  # "one_line" always gives a message
    return message

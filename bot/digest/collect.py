"""What one channel's digest shows: gathered from the database at one moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import func
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.tasks.model import TaskSnapshot, snapshot
from bot.timing import local_day
from store.enums import ACTIVE, PostState, TaskStatus
from store.models import Task
from store.queries.outbox import folded_posts_in_channel
from store.queries.stats import scope
from store.queries.tasks import claim_times_since, tasks_in_channel

# How much of each list a digest gathers; the view says how many more there are.
DIGEST_ROWS = 100


@dataclass(frozen=True)
class QuietClaim:
    """A claimed task without a due date that nobody has changed since `since`."""

    task: TaskSnapshot
    since: datetime


@dataclass(frozen=True)
class DigestData:
    """Everything one channel's digest shows, gathered from the database at one moment."""

    channel_id: str
    day: date  # the local day the digest is for
    unclaimed: list[TaskSnapshot]  # oldest first
    unclaimed_total: int
    taken: list[TaskSnapshot]  # claimed, not done, oldest first
    taken_total: int
    overdue: list[TaskSnapshot]  # not done, due date before `day`
    overdue_total: int
    done: list[TaskSnapshot]  # done since the last digest, newest first
    done_total: int
    median_time_to_claim: timedelta | None  # over tasks first claimed in the last 7 days
    folded: list[str]  # reminders held back by the noise budget, as mrkdwn lines
    weekly: list[str] = field(default_factory=list)  # the week's numbers (the first digest of a week)
    # Claimed, no due date, nobody changed it for `nag.stale_claim_after`: quietest first.
    quiet: list[QuietClaim] = field(default_factory=list)
    quiet_total: int = 0
    settings: Settings | None = None  # the workspace's: its kinds' labels (None: the default kinds')

    @property
    def is_empty(self) -> bool:
        """Nothing to say: no tasks in any list, nothing held back, no weekly numbers."""
        return not (
            self.unclaimed_total or self.taken_total or self.overdue_total or self.done_total or self.folded
            or self.weekly
        )  # fmt: skip


def _median_time_to_claim(session: Session, team_id: str, channel_id: str, now: datetime) -> timedelta | None:
    waits = [(claimed - created).total_seconds() for created, claimed in
             claim_times_since(session, scope(team_id, channel_id, None), now - timedelta(days=7))]  # fmt: skip
    return timedelta(seconds=median(waits)) if waits else None


def collect_digest(
    session: Session,
    settings: Settings,
    team_id: str,
    channel_id: str,
    now: datetime,
    since: datetime,
    take_held: bool = True,
    read_held: bool = True,
) -> DigestData:
    """Gather one channel's digest; reminders held back by the noise budget are taken into it (`take_held`),
    or only shown, or (not `read_held`: the list keeps the ones its edition took) left alone."""
    day = local_day(now, settings)

    def listed(*conditions: object, order: object = Task.created_at) -> tuple[list[TaskSnapshot], int]:
        rows, total = tasks_in_channel(session, team_id, channel_id, *conditions, order=order, limit=DIGEST_ROWS)  # type: ignore[arg-type]
        return [snapshot(t) for t in rows], total

    unclaimed, unclaimed_total = listed(Task.status == TaskStatus.OPEN)
    taken, taken_total = listed(Task.status == TaskStatus.CLAIMED)
    overdue, overdue_total = listed(Task.status.in_(ACTIVE), Task.due_on < day, order=Task.due_on)
    done, done_total = listed(Task.status == TaskStatus.DONE, Task.done_at > since, order=Task.done_at.desc())
    quiet, quiet_total = _quiet_claims(session, settings, team_id, channel_id, now)
    held = folded_posts_in_channel(session, team_id, channel_id) if read_held else []
    for post in held if take_held else ():
        post.state = PostState.DIGESTED
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
        folded=[f"• {p.text}" for p in held],
        quiet=quiet,
        quiet_total=quiet_total,
        settings=settings,
    )


def _quiet_claims(
    session: Session, settings: Settings, team_id: str, channel_id: str, now: datetime
) -> tuple[list[QuietClaim], int]:
    """The channel's claims without a due date untouched for `nag.stale_claim_after` (none when it is off)."""
    after = settings.nag.stale_claim_after
    if after is None:
        return [], 0
    since = func.coalesce(Task.touched_at, Task.claimed_at, Task.created_at)
    rows, total = tasks_in_channel(
        session, team_id, channel_id, Task.status == TaskStatus.CLAIMED, Task.due_on.is_(None), since <= now - after,
        order=since, limit=DIGEST_ROWS,
    )  # fmt: skip
    return [QuietClaim(snapshot(t), t.touched_at or t.claimed_at or t.created_at) for t in rows], total

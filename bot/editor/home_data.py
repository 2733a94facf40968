"""What one person's Home tab shows, read from the database at one moment."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.insight.stats import median
from bot.intake.phrases import Suggestion
from bot.settings import Settings
from bot.tasks.model import TaskSnapshot, snapshot
from bot.timing import local_day
from store.queries import home as queries
from store.queries.stats import active_count, scope, unclaimed_since
from store.queries.tasks import claim_times_since

# How many of each list are read; the view shows what fits in the tab's 100 blocks.
READ = 60


@dataclass(frozen=True)
class TeamSummary:
    """The one line about the team: open, unclaimed for more than a day, median time to claim this week."""

    open: int
    waiting_over_a_day: int
    median_to_claim: timedelta | None


@dataclass(frozen=True)
class HomeData:
    """One person's Home tab."""

    user_id: str
    today: date
    mine: list[TaskSnapshot]  # owned or waited for: overdue first, then oldest
    mine_total: int
    unclaimed: list[TaskSnapshot]  # in watched channels they are in, oldest first
    unclaimed_total: int
    finished: list[TaskSnapshot]  # done this week, newest first
    finished_total: int
    summary: TeamSummary
    in_a_watched_channel: bool
    notice: str | None = None  # what the last click on the tab did, or why it did nothing
    settings: Settings = field(default_factory=Settings)  # the workspace's (its time zone shows times)
    waiting: list[TaskSnapshot] = field(default_factory=list)  # open, posted by them, not on them: oldest first
    waiting_total: int = 0
    suggestions: list[Suggestion] = field(default_factory=list)  # phrases to add to kinds (admins only)


def week_start(now: datetime, settings: Settings) -> datetime:
    """Monday 00:00 of this week in the workspace's time zone."""
    today = local_day(now, settings)
    return datetime.combine(today - timedelta(days=today.weekday()), time(0), tzinfo=settings.tz)


def collect_home(
    session: Session,
    settings: Settings,
    team_id: str,
    user_id: str,
    member_of: Collection[str] | None,
    now: datetime,
    notice: str | None = None,
) -> HomeData:
    """Read the tab; `member_of` is the conversations the person is in (None: not known, every channel)."""
    today = local_day(now, settings)
    watched = queries.watched_channels(session, team_id)
    theirs = watched if member_of is None else watched & set(member_of)
    mine, mine_total = queries.my_tasks(session, team_id, user_id, today, READ)
    unclaimed, unclaimed_total = queries.unclaimed_in(session, team_id, user_id, theirs, READ)
    waiting, waiting_total = queries.posted_by(session, team_id, user_id, READ)
    finished, finished_total = queries.finished_by(session, team_id, user_id, week_start(now, settings), READ)
    public = scope(team_id, None, None)
    waits = [claimed - created for created, claimed in claim_times_since(session, public, now - timedelta(days=7))]
    return HomeData(
        user_id=user_id,
        today=today,
        mine=[snapshot(t) for t in mine],
        mine_total=mine_total,
        unclaimed=[snapshot(t) for t in unclaimed],
        unclaimed_total=unclaimed_total,
        finished=[snapshot(t) for t in finished],
        finished_total=finished_total,
        summary=TeamSummary(
            active_count(session, public), unclaimed_since(session, public, now - timedelta(days=1)), median(waits)
        ),
        in_a_watched_channel=bool(theirs),
        notice=notice,
        settings=settings,
        waiting=[snapshot(t) for t in waiting],
        waiting_total=waiting_total,
    )

"""The numbers: how long follow-ups wait for an owner and to be done, who takes them, and which fell
through the cracks. Plain Python over rows read in one session; no Slack.

Times are measured from when a task was posted. A task "fell through the cracks" when its real-world
date (its due date) passed while it had no owner or was not done, or when it was cancelled without
ever having an owner. Medians are the middle value (the mean of the two middle ones for an even
count); the 90th percentile is by nearest rank: the smallest value at least 90% of them do not exceed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median as middle

from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.tasks.routing import kind_for
from bot.timing import day_passed, local_day
from store.enums import TaskStatus
from store.queries import stats as queries
from store.queries.stats import TaskFacts

WINDOWS = {"7d": 7, "30d": 30, "90d": 90}
# The longest waits: this share of all waits (at least one), counted per owner group.
LONGEST_SHARE = 0.1


def median(values: Sequence[timedelta]) -> timedelta | None:
    """The middle value (the mean of the two middle ones for an even count); None for none."""
    return timedelta(seconds=middle([v.total_seconds() for v in values])) if values else None


def percentile(values: Sequence[timedelta], share: float = 0.9) -> timedelta | None:
    """By nearest rank: the smallest value that at least `share` of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


@dataclass(frozen=True)
class Spread:
    """How long something took over several tasks: how many, the median and the 90th percentile."""

    count: int
    median: timedelta | None
    p90: timedelta | None

    @staticmethod
    def of(values: Sequence[timedelta]) -> Spread:
        """The spread of `values`."""
        return Spread(len(values), median(values), percentile(values))


@dataclass(frozen=True)
class KindStats:
    """One kind's times: to its first owner, and to done."""

    kind: str
    to_claim: Spread
    to_done: Spread


@dataclass(frozen=True)
class GroupWaits:
    """One owner group's share of the longest waits (`group` None: kinds with no owner group)."""

    group: str | None
    kinds: tuple[str, ...]
    among_longest: int  # how many of the longest waits were its follow-ups
    waits: int  # how many of its follow-ups waited (claimed in the period, or still waiting)
    longest: timedelta


@dataclass(frozen=True)
class FellThrough:
    """A follow-up that fell through the cracks, and why."""

    id: int
    channel_id: str
    kind: str
    title: str
    permalink: str | None
    why: str  # "unclaimed", "unfinished" or "cancelled"
    on: date  # the real-world date that passed, or the day it was cancelled


@dataclass(frozen=True)
class Stats:
    """Everything `/dibs stats` shows for one period and scope."""

    channel_id: str | None  # None: the whole workspace (as seen from where it was asked)
    since: datetime
    until: datetime
    created: int
    claimed: int
    done: int
    to_claim: Spread  # every kind together
    kinds: list[KindStats]
    reminders: int  # sent before their first claim, to the tasks claimed in the period
    claims: list[tuple[str, int]]  # who became an owner how often, most first
    groups: list[GroupWaits]
    fell_through: list[FellThrough]

    @property
    def reminders_per_claim(self) -> float | None:
        """Reminders sent per task that was claimed in the period."""
        return self.reminders / self.claimed if self.claimed else None


def _within(moment: datetime | None, since: datetime, until: datetime) -> bool:
    return moment is not None and since <= moment < until


def _fell_through(
    facts: Sequence[TaskFacts], cancelled: dict[int, datetime], since: datetime, until: datetime, settings: Settings
) -> list[FellThrough]:
    found: list[FellThrough] = []
    for t in facts:
        gone = cancelled.get(t.id)
        why, on = "", None
        if t.status == TaskStatus.CANCELLED and t.claimed_at is None and _within(gone, since, until):
            assert gone is not None
            why, on = "cancelled", local_day(gone, settings)
        elif t.due_on is not None and _within(passed := day_passed(t.due_on, settings), since, until):
            if t.done_at is not None and t.done_at <= passed:
                continue
            if gone is not None and gone <= passed:
                continue  # called off before its day (if unclaimed, counted as cancelled then)
            why, on = ("unclaimed" if t.claimed_at is None or t.claimed_at > passed else "unfinished"), t.due_on
        if why:
            assert on is not None
            found.append(FellThrough(t.id, t.channel_id, t.kind, t.title, t.permalink, why, on))
    return sorted(found, key=lambda f: (f.kind, f.on, f.id))


def _group_waits(
    session: Session, settings: Settings, team_id: str, facts: Sequence[TaskFacts], since: datetime, until: datetime
) -> list[GroupWaits]:
    waits: list[tuple[timedelta, str]] = []
    for t in facts:
        if _within(t.claimed_at, since, until):
            assert t.claimed_at is not None
            waits.append((t.claimed_at - t.created_at, t.kind))
        elif t.status in (TaskStatus.OPEN, TaskStatus.CLAIMED) and (t.claimed_at is None or t.claimed_at >= until):
            waits.append((until - t.created_at, t.kind))  # still waiting at the end of the period
    if not waits:
        return []
    groups: dict[str, str | None] = {}
    for kind in {k for _, k in waits}:
        found = kind_for(session, settings, team_id, kind)
        groups[kind] = found.owner_group if found else None
    longest = sorted(waits, reverse=True)[: max(math.ceil(LONGEST_SHARE * len(waits)), 1)]
    among = Counter(groups[k] for _, k in longest)
    result = []
    for group in {groups[k] for _, k in waits}:
        mine = [(w, k) for w, k in waits if groups[k] == group]
        result.append(
            GroupWaits(group, tuple(sorted({k for _, k in mine})), among[group], len(mine), max(w for w, _ in mine))
        )
    return sorted(result, key=lambda g: (-g.among_longest, -g.longest, g.group or ""))


def compute_stats(
    session: Session,
    settings: Settings,
    team_id: str,
    channel_id: str | None,
    since: datetime,
    until: datetime,
    seen_from: str | None = None,
) -> Stats:
    """The numbers for [since, until): one channel's, or the workspace's as seen from `seen_from`."""
    where = queries.scope(team_id, channel_id, seen_from)
    facts = queries.facts_between(session, where, since, until, local_day(since, settings) - timedelta(days=1))
    claimed = [t for t in facts if _within(t.claimed_at, since, until)]
    done = [t for t in facts if _within(t.done_at, since, until)]
    kinds = sorted({t.kind for t in claimed} | {t.kind for t in done})
    per_kind = [
        KindStats(
            kind,
            Spread.of([t.claimed_at - t.created_at for t in claimed if t.kind == kind and t.claimed_at]),
            Spread.of([t.done_at - t.created_at for t in done if t.kind == kind and t.done_at]),
        )
        for kind in kinds
    ]
    reminders = queries.reminders_before_claim(session, [t.id for t in claimed])
    cancelled = queries.cancelled_at(session, [t.id for t in facts if t.status == TaskStatus.CANCELLED])
    return Stats(
        channel_id=channel_id,
        since=since,
        until=until,
        created=sum(1 for t in facts if _within(t.created_at, since, until)),
        claimed=len(claimed),
        done=len(done),
        to_claim=Spread.of([t.claimed_at - t.created_at for t in claimed if t.claimed_at]),
        kinds=per_kind,
        reminders=sum(reminders.values()),
        claims=sorted(Counter(queries.owners_taken(session, where, since, until)).items(), key=lambda p: (-p[1], p[0])),
        groups=_group_waits(session, settings, team_id, facts, since, until),
        fell_through=_fell_through(facts, cancelled, since, until, settings),
    )


@dataclass(frozen=True)
class Week:
    """One week's numbers for the chart: median time to claim per kind, and how many fell through."""

    start: date
    to_claim: dict[str, float]  # hours, per kind that had claims
    fell_through: int


def weekly_series(
    session: Session, settings: Settings, team_id: str, channel_id: str | None, until: datetime, weeks: int = 8
) -> list[Week]:
    """The last `weeks` weeks before `until`, oldest first."""
    series = []
    for back in range(weeks, 0, -1):
        start, end = until - timedelta(days=7 * back), until - timedelta(days=7 * (back - 1))
        stats = compute_stats(session, settings, team_id, channel_id, start, end)
        hours = {k.kind: k.to_claim.median.total_seconds() / 3600 for k in stats.kinds if k.to_claim.median}
        series.append(Week(local_day(start, settings), hours, len(stats.fell_through)))
    return series

"""The first digest of each week carries the week's numbers, with the change from the week before, and
(unless `stats.chart: false`) a chart of the last eight weeks uploaded right after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.insight.stats import Stats, Week, compute_stats, weekly_series
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services import Services

CHART_TITLE = "Median time to claim per kind, and follow-ups that fell through, by week"


def is_weekly(day: date, settings: Settings) -> bool:
    """Whether the digest of `day` is the week's first (Monday's, where digests go out on Mondays)."""
    return bool(settings.digest.days) and day.weekday() == min(settings.digest.days)


@dataclass(frozen=True)
class WeekInNumbers:
    """The week's numbers and the week before's, the chart's series, and whether nothing happened in either
    week (then there is nothing to tell)."""

    week: Stats
    before: Stats
    series: list[Week]

    @property
    def quiet(self) -> bool:
        """Nothing was created, claimed, done or fell through in either week."""
        return not any(s.created or s.claimed or s.done or s.fell_through for s in (self.week, self.before))


def week_in_numbers(svc: Services, team_id: str, channel_id: str, now: datetime) -> WeekInNumbers:
    """Read one channel's week (in a read transaction: the digest's write transaction stays short)."""
    with svc.read() as session:
        settings = svc.settings_for(team_id, session)
        week = compute_stats(session, settings, team_id, channel_id, now - timedelta(days=7), now)
        before = compute_stats(
            session, settings, team_id, channel_id, now - timedelta(days=14), now - timedelta(days=7)
        )
        series = weekly_series(session, settings, team_id, channel_id, now) if settings.stats.chart else []
    return WeekInNumbers(week, before, series)

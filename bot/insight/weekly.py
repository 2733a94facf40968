"""The first digest of each week carries the week's numbers, with the change from the week before, and
(unless `stats.chart: false`) a chart of the last eight weeks uploaded right after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.delivery.outbox import queue_call
from bot.insight.chart import has_data, series_args
from bot.insight.stats import Week, compute_stats, weekly_series
from bot.insight.view import weekly_lines
from bot.settings import Settings
from bot.tasks.tx import Tx
from store.enums import Purpose

if TYPE_CHECKING:
    from bot.services import Services

CHART_TITLE = "Median time to claim per kind, and follow-ups that fell through, by week"


def is_weekly(day: date, settings: Settings) -> bool:
    """Whether the digest of `day` is the week's first (Monday's, where digests go out on Mondays)."""
    return bool(settings.digest.days) and day.weekday() == min(settings.digest.days)


@dataclass(frozen=True)
class WeekInNumbers:
    """The digest's weekly lines (none where nothing happened in either week) and the chart's series."""

    lines: list[str]
    series: list[Week]


def week_in_numbers(svc: Services, team_id: str, channel_id: str, now: datetime) -> WeekInNumbers:
    """Read one channel's week (in a read transaction: the digest's write transaction stays short)."""
    with svc.read() as session:
        settings = svc.settings_for(team_id, session)
        week = compute_stats(session, settings, team_id, channel_id, now - timedelta(days=7), now)
        before = compute_stats(
            session, settings, team_id, channel_id, now - timedelta(days=14), now - timedelta(days=7)
        )
        series = weekly_series(session, settings, team_id, channel_id, now) if settings.stats.chart else []
    quiet = not any(s.created or s.claimed or s.done or s.fell_through for s in (week, before))
    return WeekInNumbers([] if quiet else weekly_lines(week, before), series)


def queue_chart(tx: Tx, team_id: str, channel_id: str, day: date, week: WeekInNumbers) -> bool:
    """Queue the chart's upload (drawn when it is sent); nothing when there is nothing to draw."""
    if not tx.settings.stats.chart or not has_data(week.series):
        return False
    return queue_call(
        tx, team_id=team_id, channel_id=channel_id, purpose=Purpose.CHART, method="files.upload_v2",
        text=CHART_TITLE, args={"series": series_args(week.series), "day": day.isoformat()},
        dedupe_key=f"chart:{team_id}:{channel_id}:{day}",
    )  # fmt: skip

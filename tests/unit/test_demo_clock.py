"""The demo's clock: "+1 day" goes to the next working morning at the digest's time (seven "+1 h" from 10:00 reach
17:03; a day later is the morning edition, not Tuesday 17:03 outside working hours)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import OffsetClock, utcnow
from bot.demo.actions import ActionError, Demo, next_morning
from bot.demo.record import Record
from bot.settings import DigestSettings, Settings, parse_working_hours

BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(timezone="Europe/Berlin", digest=DigestSettings(at=time(8, 30)))


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026, Berlin time (the 7th is a Monday)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "now, morning",
    [
        (berlin(7, 17, 3), berlin(8, 8, 30)),  # Monday after work: Tuesday's morning edition
        (berlin(7, 7, 0), berlin(8, 8, 30)),  # a day on, even before Monday's
        (berlin(11, 10, 0), berlin(14, 8, 30)),  # Friday: over the weekend to Monday
        (berlin(12, 23, 30), berlin(14, 8, 30)),  # Saturday night
        (datetime(2026, 12, 7, 23, 30, tzinfo=UTC), berlin(9, 8, 30)),  # already Tuesday in Berlin
    ],
)
def test_plus_one_day_lands_on_the_next_working_morning_at_the_digest(now, morning):
    assert next_morning(now, SETTINGS) == morning


def test_without_digests_it_is_the_next_working_day_and_always_means_every_day():
    quiet = SETTINGS.model_copy(update={"digest": DigestSettings(at=time(9), days=frozenset())})
    assert next_morning(berlin(11, 10), quiet) == berlin(14, 9)
    always = quiet.model_copy(update={"working_hours": parse_working_hours("always")})
    assert next_morning(berlin(11, 10), always) == berlin(12, 9)


def test_the_demo_moves_its_clock_to_the_next_morning_and_runs_the_scheduler_there():
    monday_evening = berlin(7, 17, 3)
    clock = OffsetClock(monday_evening - utcnow())
    ticks: list[datetime] = []
    demo = Demo(Record(), None, None, clock, ticks.append, "", lambda: SETTINGS)  # type: ignore[arg-type]
    demo.advance("day")
    [ticked] = ticks
    assert berlin(8, 8, 30) <= ticked < berlin(8, 8, 31)
    demo.advance("hour")
    assert ticks[-1] - ticked >= timedelta(hours=1)
    with pytest.raises(ActionError):
        demo.advance("week")

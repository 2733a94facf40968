"""Reading a team's calendar (pure): keys, time zones, all-day events, recurrence, the horizon, and the settings."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.intake.calendars import validators
from bot.intake.ical import CalendarError, names_one_of, occurrences, read_calendar, single_events
from bot.settings import Settings, SettingsError, settings_from_yaml
from store.models import Feed
from tests.support.ics import vcalendar, vevent

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
START = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def read(*events: str, horizon: timedelta = timedelta(days=90), tz: ZoneInfo = BERLIN) -> dict:
    return occurrences(read_calendar(vcalendar(*events)), NOW, horizon, tz)


def test_a_single_event_is_known_by_its_uid_with_its_time_in_utc_and_its_day_where_the_team_is():
    found = read(
        vevent("a@x", "Offsite", START, START + timedelta(hours=6), location="Hall 3", tzid="America/New_York")
    )
    [(key, event)] = found.items()
    assert key == "a@x" and event.title == "Offsite" and event.place == "Hall 3" and not event.all_day
    assert (event.starts_at, event.ends_at) == (START, START + timedelta(hours=6))
    late = read(vevent("b@x", "Late", datetime(2026, 12, 10, 23, 30, tzinfo=UTC)))["b@x"]
    assert late.day == date(2026, 12, 11)  # 00:30 in Berlin


def test_an_all_day_event_is_its_day_and_a_cancelled_one_says_so():
    fair = read(vevent("f@x", "Fair", date(2026, 12, 13), date(2026, 12, 14), status="CANCELLED"))["f@x"]
    assert fair.all_day and fair.day == date(2026, 12, 13) and fair.ends_at is None and fair.cancelled
    assert fair.starts_at == datetime(2026, 12, 12, 23, 0, tzinfo=UTC)  # midnight in Berlin


def test_a_weekly_event_makes_one_occurrence_a_week_within_the_horizon_and_a_moved_one_keeps_its_key():
    weekly = vevent("w@x", "Standup", START, START + timedelta(minutes=15), rrule="FREQ=WEEKLY", tzid="Europe/Berlin")
    found = read(weekly, horizon=timedelta(days=20))
    assert sorted(found) == ["w@x/20261210T090000Z", "w@x/20261217T090000Z", "w@x/20261224T090000Z"]
    moved = vevent("w@x", "Standup", START + timedelta(days=8), START + timedelta(days=8, hours=1),
                   recurrence_id=START + timedelta(days=7), tzid="Europe/Berlin")  # fmt: skip
    again = read(weekly, moved, horizon=timedelta(days=20))
    assert sorted(again) == sorted(found)
    assert again["w@x/20261217T090000Z"].starts_at == START + timedelta(days=8)
    dropped = vevent("w@x", "Standup", START, START + timedelta(minutes=15), rrule="FREQ=WEEKLY",
                     exdate=START + timedelta(days=14))  # fmt: skip
    assert "w@x/20261224T090000Z" not in read(dropped, horizon=timedelta(days=20))


def test_single_events_are_found_wherever_they_are_but_not_a_series():
    far = vevent("far@x", "Far", START + timedelta(days=200))
    weekly = vevent("w@x", "Standup", START, rrule="FREQ=WEEKLY")
    calendar = read_calendar(vcalendar(far, weekly))
    assert list(single_events(calendar, BERLIN)) == ["far@x"]
    assert "far@x" not in occurrences(calendar, NOW, timedelta(days=90), BERLIN)


@pytest.mark.parametrize(
    "body, said",
    [(b"<html><body>Sign in</body></html>", "an HTML page"), (b"", "not an iCalendar"),
     (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\n", "broken")],
)  # fmt: skip
def test_what_is_not_a_calendar_is_refused_in_words(body, said):
    with pytest.raises(CalendarError, match=said):
        occurrences(read_calendar(body), NOW, timedelta(days=90), BERLIN)


def test_match_words_are_whole_words_in_any_case():
    assert names_one_of("Team OFFSITE 2027", ["offsite"]) and names_one_of("Anything", [])
    assert not names_one_of("Offsites", ["offsite"]) and names_one_of("Trade-show in Berlin", ["trade show"])


def test_a_calendar_is_read_in_full_on_its_first_poll_of_the_day():
    feed = Feed(source="calendar", etag='"abc"', last_modified=None, last_success_at=NOW - timedelta(hours=1))
    assert validators(feed, NOW) == ('"abc"', None)
    feed.last_success_at = NOW - timedelta(days=1)
    assert validators(feed, NOW) == (None, None)
    assert validators(Feed(source="feed", etag='"e"', last_modified="x", last_success_at=None), NOW) == ('"e"', "x")


def test_calendars_in_the_settings_file():
    entry = {"url": "webcal://calendar.example.com/team.ics", "channel": "C111", "match": ["Offsite"]}
    [calendar] = settings_from_yaml({"calendars": [entry]}, Settings()).calendars
    assert calendar.url == "https://calendar.example.com/team.ics" and calendar.match == ("offsite",)
    assert (calendar.kind, calendar.every, calendar.horizon) == ("event", timedelta(minutes=15), timedelta(days=90))
    for bad, said in [({"every": "30s"}, "calendars[0].every: poll at most once a minute"),
                      ({"kind": "party"}, "calendars[0].kind: 'party' is not a kind"),
                      ({"horizon": "2000d"}, "calendars[0].horizon: look from 1d to 400d ahead"),
                      ({"url": "ftp://x"}, "calendars[0].url: 'ftp://x' is not a calendar address")]:  # fmt: skip
        with pytest.raises(SettingsError, match=re.escape(said)):
            settings_from_yaml({"calendars": [{**entry, **bad}]}, Settings())


def test_a_rule_that_repeats_every_minute_is_refused_in_words_without_expanding_it_all():
    started = time.monotonic()
    with pytest.raises(CalendarError, match="more than 2000 events in the next 90 days; choose its events with match"):
        read(vevent("tick@x", "Tick", NOW + timedelta(hours=1), rrule="FREQ=MINUTELY"))
    assert time.monotonic() - started < 10  # ~130,000 occurrences in 90 days: never all of them
    daily = read(vevent("standup@x", "Standup", NOW + timedelta(hours=1), rrule="FREQ=DAILY"))
    assert len(daily) == 90  # the horizon's end stops a daily one

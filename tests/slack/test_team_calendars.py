"""Events from a team's calendar, served on 127.0.0.1 and read over real HTTP by the poll: a new event becomes a
task with its day, hours and place; a moved one moves it (the owners' calendar entries follow); a cancelled or
vanished one cancels it; a weekly one makes a task per occurrence within the horizon; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select, update

from bot.intake import calendars as calendar_module
from bot.intake.feeds import sync_settings_feeds
from bot.settings import CalendarSettings
from store.enums import TaskStatus
from store.models import CalendarEvent, Feed, Task, utcnow
from tests.conftest import make_dibs, sender_for
from tests.support.feedserver import FeedServer
from tests.support.helpers import blocks_text
from tests.support.ics import vcalendar, vevent

BERLIN = ZoneInfo("Europe/Berlin")
MERGED = timedelta(minutes=1, seconds=1)  # an owner's calendar entry waits `staffing.calendar_merge_within`
ICS = "text/calendar; charset=utf-8"


def at(days: int, hour: int) -> datetime:
    """`hour` o'clock in Berlin, `days` from today."""
    day = datetime.now(BERLIN).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def bot(settings):
    b = make_dibs(settings, timezone="Europe/Berlin")
    yield b
    b.shutdown()


@pytest.fixture
def slack(bot):
    return sender_for(bot)


@pytest.fixture
def team_calendar():
    server = FeedServer()
    yield server
    server.stop()


def due_now(bot) -> None:
    with bot.db.begin() as session:
        session.execute(update(Feed).values(next_poll_at=utcnow()))


def poll(bot) -> int:
    due_now(bot)
    announced = bot.poll_feeds()
    bot.deliver(utcnow() + MERGED)
    return announced


def announcements(fake) -> list:
    return [c for c in fake.calls("chat.postMessage") if "thread_ts" not in c.params and c.status == 200]


def in_thread(fake, ts: str) -> list[str]:
    return [str(c.params.get("text")) for c in fake.calls("chat.postMessage") if c.params.get("thread_ts") == ts]


def tasks(bot) -> list[Task]:
    with bot.services.read() as session:
        return list(session.scalars(select(Task).order_by(Task.id)))


def test_an_event_becomes_a_task_with_its_time_then_moves_and_is_cancelled(bot, slack, fake, team_calendar):
    there = vevent("standup@x", "Standup", at(2, 9), at(2, 10))
    url = team_calendar.serve("/team.ics", body=vcalendar(there), content_type=ICS)
    assert "will be announced in <#C111> as event tasks" in slack.command(f"calendar add <{url}>").body
    assert poll(bot) == 0 and not announcements(fake)  # what was there before Dibs read it is not news
    start, end = at(3, 10), at(3, 16)
    offsite = vevent("offsite@x", "Offsite <!here>", start, end, location="Hall 3 & <!channel>", tzid="Europe/Berlin",
                     description="Bring the banner.")  # fmt: skip
    team_calendar.serve("/team.ics", body=vcalendar(there, offsite), content_type=ICS)
    assert poll(bot) == 1
    [post] = announcements(fake)
    shown = blocks_text(post)
    assert "New event in the team's calendar: *Offsite &lt;!here&gt;*" in shown and "<!here>" not in shown
    assert f"{start.astimezone(BERLIN):%a %d %b} 10:00–16:00 (Europe/Berlin) · Hall 3 &amp; &lt;!channel&gt;" in shown
    assert "> Bring the banner." in shown
    [task] = tasks(bot)
    assert (task.due_on, task.event_start, task.event_end) == (start.astimezone(BERLIN).date(), start, end)
    assert (task.place, task.posted_by, task.kind) == ("Hall 3 & <!channel>", "calendar", "event")
    slack.command(f"claim {task.id}", user="U7")
    bot.deliver(utcnow() + MERGED)
    [entry] = fake.uploaded()
    assert icalendar.Calendar.from_ical(entry["content"]).walk("VEVENT")[0]["DTSTART"].dt == start

    later, later_end = at(4, 11), at(4, 12)
    moved = vevent("offsite@x", "Offsite <!here>", later, later_end, location="Hall 4", sequence=1)
    team_calendar.serve("/team.ics", body=vcalendar(there, moved), content_type=ICS)
    assert poll(bot) == 0
    [task] = tasks(bot)
    assert (task.due_on, task.event_start, task.event_end, task.place) == (later.astimezone(BERLIN).date(), later,
                                                                           later_end, "Hall 4")  # fmt: skip
    note = f"Moved to {later.astimezone(BERLIN):%a %d %b}, 11:00–12:00 at Hall 4 (the team's calendar changed)."
    assert any(note in text for text in in_thread(fake, post.response["ts"]))
    _, again = fake.uploaded()
    assert icalendar.Calendar.from_ical(again["content"]).walk("VEVENT")[0]["DTSTART"].dt == later
    assert poll(bot) == 0 and len(fake.uploaded()) == 2  # read again unchanged: nothing moves

    team_calendar.serve("/team.ics", body=vcalendar(there, moved.replace("SEQUENCE:1", "STATUS:CANCELLED")),
                        content_type=ICS)  # fmt: skip
    assert poll(bot) == 0
    assert tasks(bot)[0].status == TaskStatus.CANCELLED
    assert any("Cancelled in the team's calendar" in text for text in in_thread(fake, post.response["ts"]))
    _, _, off = fake.uploaded()
    assert "is cancelled (#1 was cancelled)" in off["initial_comment"]


def test_a_weekly_event_makes_a_task_per_occurrence_within_the_horizon_and_a_dropped_one_is_cancelled(
    settings, fake, team_calendar
):
    url = team_calendar.serve("/weekly.ics", body=vcalendar(), content_type=ICS)
    calendars = (CalendarSettings(url=url, channel="C111", horizon="20d", match=["booth"]),)
    bot = make_dibs(settings, timezone="Europe/Berlin", calendars=calendars)
    try:
        sync_settings_feeds(bot.services, "T111", ())
        assert poll(bot) == 0
        first = at(1, 9)
        weekly = vevent("booth@x", "Booth duty", first, first + timedelta(hours=2), rrule="FREQ=WEEKLY",
                        tzid="Europe/Berlin")  # fmt: skip
        lunch = vevent("lunch@x", "Lunch", at(2, 12))  # names no `match` word
        team_calendar.serve("/weekly.ics", body=vcalendar(weekly, lunch), content_type=ICS)
        assert poll(bot) == 3  # in 1, 8 and 15 days; the one in 22 days is beyond the horizon
        days = [first.astimezone(BERLIN).date() + timedelta(days=7 * n) for n in range(3)]
        assert [t.due_on for t in tasks(bot)] == days and {t.title for t in tasks(bot)} == {"Booth duty"}
        dropped = weekly.replace("END:VEVENT", f"EXDATE:{first + timedelta(days=7):%Y%m%dT%H%M%SZ}\r\nEND:VEVENT")
        team_calendar.serve("/weekly.ics", body=vcalendar(dropped, lunch), content_type=ICS)
        assert poll(bot) == 0
        assert [t.status for t in tasks(bot)] == [TaskStatus.OPEN, TaskStatus.CANCELLED, TaskStatus.OPEN]
        sender = sender_for(bot)
        listed = sender.command("calendars").body
        assert "from the settings file" in listed and "“booth”" in listed and "20d ahead" in listed
        assert "reads no feeds" in sender.command("feeds").body  # calendars are not feeds
    finally:
        bot.shutdown()


def test_a_bad_calendar_never_stops_the_others_and_one_poll_announces_at_most_a_few(
    bot, slack, fake, team_calendar, monkeypatch
):
    monkeypatch.setattr(calendar_module, "ANNOUNCED_PER_POLL", 2)
    secret = "/calendar/ical/team%40example.com/private-0123abcd/basic.ics"  # Google's "secret address"
    good = team_calendar.serve(secret, body=vcalendar(), content_type=ICS)
    bad = team_calendar.serve("/bad.ics", body=b"<html><body>Sign in</body></html>", content_type="text/html")
    slack.command(f"calendar add {bad}")
    slack.command(f"calendar add {good} match offsite")
    assert poll(bot) == 0
    events = [vevent(f"e{n}@x", f"Offsite {n}", at(n + 1, 9)) for n in range(3)]
    team_calendar.serve(secret, body=vcalendar(*events), content_type=ICS)
    assert poll(bot) == 2  # the soonest two; the third waits for the next poll
    assert poll(bot) == 1
    assert [t.title for t in tasks(bot)] == ["Offsite 0", "Offsite 1", "Offsite 2"]
    with bot.services.read() as session:
        broken = session.scalars(select(Feed).where(Feed.url == bad)).one()
        assert session.scalar(select(CalendarEvent).where(CalendarEvent.key == "e2@x")).task_id is not None
    assert broken.failures == 3 and "an HTML page" in (broken.last_error or "")
    listed = slack.command("calendars").body
    assert "an HTML page" in listed and "“offsite”" in listed
    assert "/calendar/ical/team%40example.com/…/basic.ics" in listed and "private-0123abcd" not in listed
    assert "no longer reads calendar" in slack.command(f"calendar remove {broken.id}").body
    assert "has no calendar" in slack.command(f"calendar remove {broken.id}").body


def test_a_future_event_gone_from_the_calendar_cancels_its_task_but_a_past_one_does_not(
    bot, slack, fake, team_calendar
):
    url = team_calendar.serve("/t.ics", body=vcalendar(), content_type=ICS)
    slack.command(f"calendar add {url}")
    poll(bot)
    soon = vevent("soon@x", "Meetup", at(5, 18))
    fair = vevent("fair@x", "Fair", date.today() + timedelta(days=6), date.today() + timedelta(days=7))
    team_calendar.serve("/t.ics", body=vcalendar(soon, fair), content_type=ICS)
    assert poll(bot) == 2
    meetup, fair_task = tasks(bot)
    assert fair_task.event_start is None and fair_task.due_on == date.today() + timedelta(days=6)  # all day: a day
    with bot.db.begin() as session:  # the fair is over (as if days passed): it falls out of the window
        session.execute(update(CalendarEvent).where(CalendarEvent.key == "fair@x").values(starts_at=at(-2, 9)))
    team_calendar.serve("/t.ics", body=vcalendar(), content_type=ICS)
    poll(bot)
    assert [t.status for t in tasks(bot)] == [TaskStatus.CANCELLED, TaskStatus.OPEN]
    assert any("Cancelled in the team's calendar" in text for text in in_thread(fake, meetup.message_ts or ""))


def test_an_event_moved_beyond_the_horizon_is_moved_and_a_shorter_horizon_cancels_nothing(
    bot, slack, fake, team_calendar
):
    url = team_calendar.serve("/t.ics", body=vcalendar(), content_type=ICS)
    slack.command(f"calendar add {url}")
    poll(bot)
    fair, expo = vevent("fair@x", "Fair", at(10, 9)), vevent("expo@x", "Expo", at(30, 9))
    team_calendar.serve("/t.ics", body=vcalendar(fair, expo), content_type=ICS)
    assert poll(bot) == 2
    far = vevent("fair@x", "Fair", at(120, 9), sequence=1)  # 120 days ahead: beyond the 90-day horizon
    team_calendar.serve("/t.ics", body=vcalendar(far, expo), content_type=ICS)
    poll(bot)
    fair_task = tasks(bot)[0]
    assert fair_task.status == TaskStatus.OPEN and fair_task.event_start == at(120, 9)
    with bot.db.begin() as session:  # the settings file's horizon is now 20 days
        session.execute(update(Feed).values(horizon_seconds=20 * 86400))
    poll(bot)
    assert [t.status for t in tasks(bot)] == [TaskStatus.OPEN, TaskStatus.OPEN]

"""Events from a team's calendar end to end: `dibs serve --http` reads an iCalendar feed served on 127.0.0.1
over real HTTP; a new event becomes a task with its date, moving it moves the task and its owner's calendar
entry, cancelling it cancels the task, and a weekly event makes one task per occurrence within the horizon."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select, update

from store.db import make_engine
from store.enums import TaskStatus
from store.models import Feed, Task, utcnow
from tests.conftest import SECRET
from tests.support.feedserver import FeedServer
from tests.support.helpers import blocks_text, wait_until
from tests.support.ics import vcalendar, vevent
from tests.support.payloads import Sender
from tests.support.server import HttpBot, bot_env

pytestmark = pytest.mark.e2e

BERLIN = ZoneInfo("Europe/Berlin")
ICS = "text/calendar; charset=utf-8"
CONFIG = """
timezone: Europe/Berlin
working_hours: always
nag: {{first_after: 2s, every: 1h}}  # the tick, and the look for feeds and calendars due, every 0.5 s
digest: {{days: none}}
calendar_merge_within: off  # each calendar entry goes at once
calendars:
  - {{url: "{url}", channel: C111, every: 1m, horizon: 20d}}
"""


def at(days: int, hour: int) -> datetime:
    day = datetime.now(BERLIN).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=BERLIN).astimezone(UTC)


def test_a_team_calendar_over_real_http(fake, pg_url, tmp_path):
    served = FeedServer()
    there = vevent("standup@x", "Standup", at(2, 9), at(2, 10))
    url = served.serve("/team.ics", body=vcalendar(there), content_type=ICS)
    config = tmp_path / "dibs.yml"
    config.write_text(CONFIG.format(url=url))
    engine = make_engine(pg_url)
    bot = HttpBot(bot_env(fake.base_url, pg_url, DIBS_CONFIG=str(config)), tmp_path / "dibs.log")

    def read_again(body: bytes) -> None:  # the calendar changes, and is due now (instead of in `every`)
        served.serve("/team.ics", body=body, content_type=ICS)
        with engine.begin() as connection:
            connection.execute(update(Feed).values(next_poll_at=utcnow()))

    def tasks() -> list:
        with engine.connect() as connection:
            return list(
                connection.execute(select(Task.id, Task.due_on, Task.status, Task.message_ts).order_by(Task.id))
            )

    def primed() -> bool:
        with engine.connect() as connection:
            return bool(connection.scalar(select(Feed.primed)))

    try:
        wait_until(primed, 15, "the calendar's first read")
        assert tasks() == [] and len(served.requests) == 1

        start = at(3, 10)
        read_again(vcalendar(there, vevent("offsite@x", "Offsite", start, at(3, 16), location="Hall 3")))
        [post] = fake.wait_for("chat.postMessage", predicate=lambda c: "*Offsite*" in blocks_text(c), timeout=10)
        assert "Hall 3" in blocks_text(post) and "thread_ts" not in post.params
        wait_until(lambda: len(tasks()) == 1 and tasks()[0].message_ts, 10, "the task and its post")
        [(task_id, due_on, _, thread)] = tasks()
        assert due_on == start.astimezone(BERLIN).date()
        slack = Sender(SECRET, url=bot.events_url)
        assert f"You own #{task_id}" in slack.command(f"claim {task_id}", user="U7").body
        wait_until(lambda: len(fake.uploaded()) == 1, 10, "the owner's calendar entry")

        later = at(4, 11)
        read_again(vcalendar(there, vevent("offsite@x", "Offsite", later, at(4, 12), location="Hall 3", sequence=1)))

        def moved_note() -> bool:
            posts = fake.calls("chat.postMessage")
            return any(c.params.get("thread_ts") == thread and "Moved to" in str(c.params.get("text")) for c in posts)

        wait_until(moved_note, 10, "“Moved to …” in the event's thread")
        wait_until(lambda: len(fake.uploaded()) == 2, 10, "the owner's calendar entry, moved")
        assert tasks()[0].due_on == later.astimezone(BERLIN).date()
        moved = icalendar.Calendar.from_ical(fake.uploaded()[1]["content"]).walk("VEVENT")[0]
        assert moved["DTSTART"].dt == later

        read_again(vcalendar(there, vevent("offsite@x", "Offsite", later, at(4, 12), status="CANCELLED")))
        wait_until(lambda: tasks()[0].status == TaskStatus.CANCELLED, 10, "the task cancelled")
        wait_until(lambda: len(fake.uploaded()) == 3, 10, "the owner's calendar entry cancelled")
        assert "is cancelled" in fake.uploaded()[2]["initial_comment"]

        first = at(1, 8)
        weekly = vevent("booth@x", "Booth duty", first, first + timedelta(hours=1), rrule="FREQ=WEEKLY")
        read_again(vcalendar(there, weekly))
        wait_until(lambda: len(tasks()) == 4, 10, "a task per weekly occurrence within the horizon")
        days = [row.due_on for row in tasks()[1:]]
        assert days == [first.astimezone(BERLIN).date() + timedelta(days=7 * n) for n in range(3)]
        assert "Traceback" not in bot.output()
    finally:
        bot.stop()
        engine.dispose()
        served.stop()

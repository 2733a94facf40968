"""An owner's calendar entry through the outbox: queued, written as it is sent, uploaded to their DM (or,
without files:write, sent as a DM with the Google Calendar link); on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.delivery.calls import Call
from bot.editor.calendars import calendar_call, queue_calendar
from store.enums import PostState, Purpose
from store.models import OutboxPost, Task, utcnow
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import open_task
from tests.support.payloads import TEAM

BERLIN = ZoneInfo("Europe/Berlin")
MERGED = timedelta(minutes=1, seconds=1)  # an entry waits `staffing.calendar_merge_within` (1m) for related changes
START, END = datetime(2026, 12, 12, 8, tzinfo=UTC), datetime(2026, 12, 12, 16, tzinfo=UTC)
TITLE = "Booth & <!channel> at Springfield Expo; hall 3, stand 12"


@pytest.fixture
def bot(settings):
    b = make_dibs(settings, timezone="Europe/Berlin")
    yield b
    b.shutdown()


@pytest.fixture
def slack(bot):
    return sender_for(bot)


def an_event(bot, slack, fake, owners=("U7",)) -> int:
    """A task from a post in the watched channel, claimed by `owners`, with a time, a place and a link."""
    open_task(slack, fake)
    with bot.services.read() as session:
        task_id = session.scalars(select(Task.id).order_by(Task.id.desc())).first()
    for user in owners:
        slack.command(f"claim {task_id}", user=user)
    change(bot, task_id, title=TITLE, event_start=START, event_end=END, place="Hall 3",
           permalink="https://acme.slack.com/archives/C111/p1")  # fmt: skip
    return task_id


def change(bot, task_id: int, **fields: object) -> None:
    with bot.services.transaction() as tx:
        task = tx.session.get(Task, task_id)
        for name, value in fields.items():
            setattr(task, name, value)


def send(bot, task_id: int, user: str, cancel: bool = False) -> None:
    """Queue the entry and let the courier make the calls (once it has waited for related changes)."""
    with bot.services.transaction() as tx:
        queue_calendar(tx, tx.session.get(Task, task_id), user, cancel=cancel)
    bot.deliver(utcnow() + MERGED)


def parsed(upload: dict) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(upload["content"])
    [event] = calendar.walk("VEVENT")
    return calendar, event


def calendar_rows(bot) -> list[OutboxPost]:
    with bot.services.read() as session:
        return list(session.scalars(select(OutboxPost).where(OutboxPost.purpose == Purpose.CALENDAR)))


def test_an_owner_gets_the_ics_and_the_link_in_their_dm(bot, slack, fake):
    task_id = an_event(bot, slack, fake)
    send(bot, task_id, "U7")
    assert fake.calls("conversations.open")[-1].params["users"] == "U7"
    [upload] = fake.uploaded()
    assert upload["channel_id"] == "D7" and upload["filename"] == f"dibs-{task_id}.ics"
    calendar, event = parsed(upload)
    assert calendar["METHOD"] == "REQUEST" and str(event["SUMMARY"]) == TITLE  # the file has the title as typed
    assert event.decoded("DTSTART") == datetime(2026, 12, 12, 9, tzinfo=BERLIN) and event.decoded("DTSTART").hour == 9
    assert event.decoded("DTEND") == datetime(2026, 12, 12, 17, tzinfo=BERLIN)
    assert event["UID"] == f"task-{task_id}-{TEAM}@dibs" and event["SEQUENCE"] == 0
    comment = upload["initial_comment"]
    assert f"#{task_id} Booth &amp; &lt;!channel&gt; at Springfield Expo" in comment and "<!channel>" not in comment
    assert "Sat 12 Dec 2026, 09:00–17:00 (Europe/Berlin)" in comment and "at Hall 3" in comment
    assert "|Add to Google Calendar>" in comment and "<https://calendar.google.com/calendar/render?" in comment
    assert "dates=20261212T080000Z%2F20261212T160000Z" in comment and "the attached .ics" in comment
    send(bot, task_id, "U7")  # the same version again: one entry
    assert len(fake.uploaded()) == 1


def test_a_new_time_updates_the_entry_and_letting_go_cancels_it(bot, slack, fake):
    task_id = an_event(bot, slack, fake, owners=("U7", "U8"))
    send(bot, task_id, "U7")
    send(bot, task_id, "U8")
    change(bot, task_id, event_start=START.replace(hour=9), event_end=None, calendar_seq=1)
    send(bot, task_id, "U7")
    send(bot, task_id, "U8", cancel=True)
    first, _, moved, cancelled = fake.uploaded()
    assert [u["channel_id"] for u in (first, moved, cancelled)] == ["D7", "D7", "D8"]
    _, before = parsed(first)
    _, after = parsed(moved)
    assert before["UID"] == after["UID"] and (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert after.decoded("DTSTART").hour == 10 and after.decoded("DTEND").hour == 11  # no end: one hour
    calendar, gone = parsed(cancelled)
    assert calendar["METHOD"] == "CANCEL" and gone["STATUS"] == "CANCELLED" and gone["UID"] == before["UID"]
    assert "is cancelled (you are no longer on" in cancelled["initial_comment"]
    assert "Add to Google Calendar" not in cancelled["initial_comment"]


def test_an_all_day_event_from_a_due_date(bot, slack, fake):
    task_id = an_event(bot, slack, fake)
    change(bot, task_id, event_start=None, event_end=None, due_on=date(2026, 12, 12))
    send(bot, task_id, "U7")
    [upload] = fake.uploaded()
    _, event = parsed(upload)
    assert event.decoded("DTSTART") == date(2026, 12, 12) and event.decoded("DTEND") == date(2026, 12, 13)
    comment = upload["initial_comment"]
    assert "Sat 12 Dec 2026 (all day)" in comment and "dates=20261212%2F20261213" in comment


def test_without_files_write_the_owner_gets_the_link_and_the_log_one_line(bot, slack, fake, caplog):
    fake.without_scope("files:write")
    first = an_event(bot, slack, fake)
    second = an_event(bot, slack, fake, owners=("U8",))
    caplog.set_level(logging.INFO, logger="bot")
    send(bot, first, "U7")
    send(bot, second, "U8")
    assert not fake.uploaded() and len(fake.calls("files.getUploadURLExternal")) == 2
    dms = [c for c in fake.calls("chat.postMessage") if "Add to Google Calendar" in str(c.params.get("text"))]
    assert [d.params["channel"] for d in dms] == ["U7", "U8"]
    text = dms[0].params["text"]
    assert f"#{first} Booth &amp; &lt;!channel&gt;" in text and "Sat 12 Dec 2026, 09:00–17:00 (Europe/Berlin)" in text
    assert "<https://calendar.google.com/calendar/render?action=TEMPLATE&" in text and ".ics" not in text
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and "missing_scope" in r.getMessage()]
    assert len(warnings) == 1 and "files:write" in warnings[0].getMessage()
    states = sorted((row.method, row.state) for row in calendar_rows(bot))
    assert states == [("chat.postMessage", PostState.SENT)] * 2 + [("files.upload_v2", PostState.FAILED)] * 2


def test_a_cancellation_without_files_write_says_to_remove_it(bot, slack, fake):
    fake.without_scope("files:write")
    task_id = an_event(bot, slack, fake)
    send(bot, task_id, "U7", cancel=True)
    [dm] = [c for c in fake.calls("chat.postMessage") if "is cancelled" in str(c.params.get("text"))]
    assert dm.params["channel"] == "U7" and "remove it from your calendar" in dm.params["text"]


def test_nothing_for_a_task_without_a_date_or_someone_not_a_person(bot, slack, fake):
    task_id = an_event(bot, slack, fake)
    send(bot, task_id, "B123")
    send(bot, task_id, "S0GROUP")
    change(bot, task_id, event_start=None, event_end=None, due_on=None)
    send(bot, task_id, "U7")
    assert not calendar_rows(bot) and not fake.uploaded()


def test_an_entry_whose_date_went_before_it_was_sent_is_not_sent(bot, slack, fake):
    task_id = an_event(bot, slack, fake)
    with bot.services.transaction() as tx:
        queue_calendar(tx, tx.session.get(Task, task_id), "U7")
        tx.session.get(Task, task_id).event_start = None
    bot.deliver(utcnow() + MERGED)
    assert not fake.uploaded() and [row.state for row in calendar_rows(bot)] == [PostState.CANCELLED]


def test_another_workspaces_row_reads_nothing_of_this_one(bot, slack, fake):
    task_id = an_event(bot, slack, fake)
    call = Call(0, "T999", "U7", "files.upload_v2", {"task": task_id, "cancel": False}, Purpose.CALENDAR, "U7")
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    assert calendar_call(client, bot.services, call, datetime.now(UTC)) is None
    assert not fake.calls("conversations.open")


def test_without_im_write_the_link_goes_to_the_owner_all_the_same(bot, slack, fake):
    fake.without_scope("im:write")  # conversations.open is refused before the upload
    task_id = an_event(bot, slack, fake)
    send(bot, task_id, "U7")
    [dm] = [c for c in fake.calls("chat.postMessage") if "Add to Google Calendar" in str(c.params.get("text"))]
    assert dm.params["channel"] == "U7" and f"#{task_id} " in dm.params["text"] and not fake.uploaded()


def test_a_date_then_the_hours_a_moment_later_make_one_calendar_message(bot, slack, fake):
    open_task(slack, fake)
    slack.command("claim 1", user="U7")
    day = (utcnow() + timedelta(days=20)).date()
    slack.command(f"due 1 {day.isoformat()}", user="U111")
    bot.services.clock.skipped += timedelta(seconds=30)  # half a minute later: the hours
    slack.command(f"when 1 {day.isoformat()} 09:00-17:00", user="U111")
    bot.deliver(utcnow() + timedelta(minutes=3))
    [entry] = fake.uploaded()  # one message, drawn as the event is once both changes are in
    _, event = parsed(entry)
    assert event.decoded("DTSTART").hour == 9 and entry["channel_id"] == "D7"
    assert not [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U7"]


def test_a_hand_over_of_a_dated_event_is_one_message_to_each_person(bot, slack, fake):
    open_task(slack, fake)
    slack.command("claim 1", user="U7")
    day = (utcnow() + timedelta(days=20)).date()
    slack.command(f"due 1 {day.isoformat()}", user="U7")
    bot.deliver(utcnow() + timedelta(minutes=2))  # U7's entry went out
    slack.command("assign 1 <@U8>", user="U7")
    bot.deliver(utcnow() + timedelta(minutes=4))
    for_u8 = [u for u in fake.uploaded() if u["channel_id"] == "D8"]
    assert len(for_u8) == 1 and for_u8[0]["initial_comment"].startswith("<@U7> handed you #1 ")
    assert "Your calendar entry for #1" in for_u8[0]["initial_comment"]
    cancelled = [u for u in fake.uploaded() if u["channel_id"] == "D7" and "is cancelled" in u["initial_comment"]]
    assert len(cancelled) == 1
    assert not [c for c in fake.calls("chat.postMessage") if c.params["channel"] in ("U7", "U8")]

"""`/dibs stats`, the Monday digest's numbers and chart, and export: signed requests in, the fake Slack's
record out, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import logging
import struct
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.cli import main
from bot.digest.plan import plan_digests
from bot.settings import DigestSettings, StatsSettings, WorkingHours
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import open_task
from tests.support.payloads import CHANNEL, message_event


def next_monday(hour: int = 10) -> datetime:
    """The first Monday `hour` after now, so the week before it always holds what a test just did (on a
    Monday morning that is today, not next week: next week's window would start after the work)."""
    now = datetime.now(UTC)
    monday = datetime.combine(now.date() + timedelta(days=-now.weekday() % 7), time(hour), tzinfo=UTC)
    return monday if monday > now else monday + timedelta(days=7)


@pytest.fixture
def bot(settings):
    every_day = DigestSettings(days=frozenset(range(7)), at=time(9))
    b = make_dibs(settings, working_hours=WorkingHours(always=True), digest=every_day)
    yield b
    b.shutdown()


@pytest.fixture
def slack(bot):
    return sender_for(bot)


def some_work(slack, fake) -> None:
    """Three posts in the watched channel: one claimed and done, one claimed, one left alone."""
    open_task(slack, fake)
    slack.event(message_event("Webinar next week: who hosts the Q&A?"))
    slack.event(message_event("Sending gifts to all 40 customers on Friday"))
    slack.command("claim 1", user="U1")
    slack.command("done 1", user="U1")
    slack.command("claim 2", user="U2")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def digest_posts(fake):
    return [c for c in fake.calls("chat.postMessage") if "Open follow-ups ·" in str(c.params.get("blocks"))]


def test_stats_for_the_channel_privately(bot, slack, fake):
    some_work(slack, fake)
    answer = slack.command("stats", user="U9").json()
    text = json.dumps(answer, ensure_ascii=False)
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert "Stats for <#C111>, the last 30 days" in text
    assert "3 follow-ups came in; 2 were claimed, usually within" in text and "; 1 was done." in text
    assert "<@U1> and <@U2> took the most (1 each); 2 people took some." in text
    assert "Nothing fell through the cracks." in text and "median" not in text
    detail = json.dumps(slack.command("stats detail", user="U9").json(), ensure_ascii=False)
    assert "*3* created · *2* claimed · *1* done" in detail  # every number, on request
    assert "<@U1> 1 · <@U2> 1" in detail and "Fell through the cracks: 0" in detail and "median" in detail
    assert "the last 7 days" in json.dumps(slack.command("stats 7d").json())
    assert "this workspace, the last 90 days" in json.dumps(slack.command("stats all 90d").json())
    assert "Write `/dibs stats`" in slack.command("stats 12d").body


def test_the_monday_digest_carries_the_week_and_one_chart(bot, slack, fake):
    some_work(slack, fake)
    monday = next_monday()
    plan_digests(bot.services, monday, True)
    bot.deliver(monday)
    [digest] = digest_posts(fake)
    shown = str(digest.params["blocks"])
    assert "This week in numbers" in shown and "Created 3 (+3) · claimed 2 (+2) · done 1 (+1)" in shown
    [chart] = fake.uploaded()
    assert chart["channel_id"] == CHANNEL and chart["filename"].endswith(".png")
    assert chart["length"] == len(chart["content"]) and 10_000 < len(chart["content"]) < 300_000
    assert png_size(chart["content"]) == (800, 450)
    assert "fell through" in chart["alt_txt"]
    # The chart follows its digest.
    upload_at = next(c.at for c in fake.calls("files.completeUploadExternal"))
    assert digest.at < upload_at
    plan_digests(bot.services, monday + timedelta(hours=1), True)  # later the same day: nothing new
    bot.deliver(monday + timedelta(hours=1))
    assert len(fake.uploaded()) == 1 and len(digest_posts(fake)) == 1


def test_other_days_have_no_weekly_numbers(bot, slack, fake):
    some_work(slack, fake)
    tuesday = next_monday() + timedelta(days=1)
    plan_digests(bot.services, tuesday, True)
    bot.deliver(tuesday)
    [digest] = digest_posts(fake)
    assert "This week in numbers" not in str(digest.params["blocks"]) and not fake.uploaded()


def test_stats_chart_false_leaves_the_chart_out(settings, fake):
    bot = make_dibs(settings, digest=DigestSettings(days=frozenset(range(7))), stats=StatsSettings(chart=False))
    try:
        slack = sender_for(bot)
        some_work(slack, fake)
        plan_digests(bot.services, next_monday(), True)
        bot.deliver(next_monday())
        [digest] = digest_posts(fake)
        assert "This week in numbers" in str(digest.params["blocks"])
        assert not fake.calls("files.getUploadURLExternal")
    finally:
        bot.shutdown()


def test_without_files_write_the_text_alone_and_one_log_line(bot, slack, fake, caplog):
    fake.without_scope("files:write")
    some_work(slack, fake)
    slack.command("watch", user="UADMIN", channel="C222")
    slack.event(message_event("Booth at the Fall Fair: who staffs it?", channel="C222"))
    slack.command("claim 4", user="U3", channel="C222")
    caplog.set_level(logging.INFO, logger="bot")
    monday = next_monday()
    plan_digests(bot.services, monday, True)
    bot.deliver(monday)
    assert len(digest_posts(fake)) == 2  # both channels get their numbers as text
    assert all("This week in numbers" in str(d.params["blocks"]) for d in digest_posts(fake))
    assert not fake.uploaded() and len(fake.calls("files.getUploadURLExternal")) == 2
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and "missing_scope" in r.getMessage()]
    assert len(warnings) == 1 and "files:write" in warnings[0].getMessage()


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_export_in_slack_sends_the_csv_privately(bot, slack, fake):
    some_work(slack, fake)
    answer = slack.command("export", user="U7").body
    assert "Exporting the last 30 days" in answer and "messages with Dibs" in answer
    [opened] = fake.calls("conversations.open")
    assert opened.params["users"] == "U7"
    [upload] = fake.uploaded()
    assert upload["channel_id"] == "D7" and upload["filename"].endswith(".csv")
    rows = read_csv(upload["content"])
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    first = rows[0]
    assert first["status"] == "done" and first["owners"] == "U1" and first["kind"] == "event"
    actions = [e["action"] for e in json.loads(first["events"])]
    assert actions == ["created", "claimed", "done"]
    assert "Write `/dibs export`" in slack.command("export 12d").body


def test_export_without_the_scope_says_why(bot, slack, fake):
    fake.without_scope("files:write")
    some_work(slack, fake)
    slack.command("export", user="U7", response_url=fake.response_url("export"))
    [told] = fake.response_urls
    assert "could not send your export" in told.params["text"] and "files:write" in told.params["text"]


def test_a_private_channels_tasks_are_exported_only_from_there(bot, slack, fake):
    some_work(slack, fake)
    slack.command("watch", user="UADMIN", channel="G555")
    slack.event(message_event("Secret launch booth: who staffs it?", channel="G555"))
    slack.command("export", user="U7")
    slack.command("export", user="U7", channel="G555")
    public, private = fake.uploaded()
    assert "Secret launch" not in public["content"].decode()
    assert "Secret launch" in private["content"].decode()


def test_dibs_export_round_trips_through_csv_and_json(bot, slack, fake, settings, monkeypatch, capsys):
    some_work(slack, fake)
    slack.event(message_event('=HYPERLINK("http://evil") booth at the expo, who staffs it?'))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.delenv("DIBS_CONFIG", raising=False)
    assert main(["export", "--format", "json", "--since", "all"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in records] == [1, 2, 3, 4]
    assert set(records[0]) == {"id", "team_id", "channel_id", "kind", "title", "status", "owners", "created_at",
                               "claimed_at", "done_at", "due", "proof", "events"}  # fmt: skip
    assert records[0]["owners"] == ["U1"] and records[1]["status"] == "claimed" and records[2]["owners"] == []
    assert [e["via"] for e in records[0]["events"]] == ["message", "command", "command"]
    assert main(["export", "--format", "csv", "--team", "T111"]) == 0
    rows = read_csv(capsys.readouterr().out.encode())
    for row, record in zip(rows, records, strict=True):
        assert row["title"] in (record["title"], "'" + record["title"])  # a formula is kept as text
        assert row["owners"].split() == record["owners"] and json.loads(row["events"]) == record["events"]
        assert (row["done_at"] or None) == record["done_at"]
    assert rows[3]["title"].startswith("'=HYPERLINK")
    assert main(["export", "--team", "T999"]) == 0
    assert read_csv(capsys.readouterr().out.encode()) == []
    assert main(["export", "--since", "soon"]) == 2

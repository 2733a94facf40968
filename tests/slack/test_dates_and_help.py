"""Dates as people write them, in posts and commands, and help that fits: in-process, on both databases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from store.models import Task, utcnow
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import blocks_text, open_task
from tests.support.payloads import CHANNEL, TEAM


def _next(month: int, day: int) -> date:
    """The next `day` of `month`, today included (the workspace's time zone is UTC here)."""
    today = utcnow().date()
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def _task(bot) -> Task:
    with bot.db() as session:
        return session.scalars(select(Task)).one()


def test_a_post_naming_a_day_becomes_a_task_dated_that_day_and_its_thread_says_which(dibs, slack, fake):
    _, reply = open_task(slack, fake, "Booth at Springfield Expo on Jan 20, who can staff it?")
    expected = _next(1, 20)
    task = _task(dibs)
    assert (task.kind, task.due_on) == ("event", expected)
    assert f"due {expected:%a %d %b}" in blocks_text(reply)  # weekday, day and month: a wrong guess shows


@pytest.mark.parametrize("post", ["We got a booth at Springfield Expo, who can staff it?", "Expo booth: may we?"])
def test_a_post_naming_no_day_gets_no_due_date(dibs, slack, fake, post):
    open_task(slack, fake, post)
    assert _task(dibs).due_on is None


def test_a_workspace_writing_day_first_reads_numbers_its_way(settings, fake):
    bot = make_dibs(settings, date_order="DMY")
    try:
        slack = sender_for(bot)
        open_task(slack, fake, "Booth at Springfield Expo on 20/1, who can staff it?")
        assert _task(bot).due_on == _next(1, 20)
        assert "`date_order` is MDY" in slack.command("settings date_order mdy").body
        answer = slack.command("due 1 2/1", user="U111").body
        assert f"is due {_next(2, 1):%a %d %b %Y}" in answer
    finally:
        bot.shutdown()


def test_due_and_when_read_dates_as_people_write_them(dibs, slack, fake):
    open_task(slack, fake, "Booth at Springfield Expo, who can staff it?")
    tomorrow = utcnow().date() + timedelta(days=1)
    assert f"is due {tomorrow:%a %d %b %Y}" in slack.command("due 1 tomorrow 3pm", user="U111").body
    assert f"is due {_next(1, 20):%a %d %b %Y}" in slack.command("due 1 20 January", user="U111").body
    answer = slack.command("when 1 Jan 20 9am-5pm at Hall 3", user="U111").json()["text"]
    assert f"is on {_next(1, 20):%a %d %b} 09:00–17:00 (UTC) · Hall 3" in answer
    answer = slack.command("due 1 Jan 32", user="U111").body
    assert answer.startswith("I couldn't read `Jan 32` as a date: write `/dibs due 1 Jan 20`")
    assert "\n" not in answer
    assert "no due date now" in slack.command("due 1 none", user="U111").body


def test_help_fits_and_a_mistake_gets_one_sentence(dibs, slack, fake):
    short = slack.command("help").body
    assert len(short.splitlines()) <= 8 and "`/dibs help all` lists every command." in short
    assert "/dibs feed add URL" in slack.command("help all").body
    assert slack.command("clam 4").body == "I don't know `/dibs clam`. Did you mean `/dibs claim`?"
    nothing_close = slack.command("frobnicate <!channel>").body
    assert nothing_close == "I don't know `/dibs frobnicate`. `/dibs help` shows what I can do."
    assert "\n" not in slack.command("claim twelve").body


def test_the_webhook_reads_a_due_date_as_people_write_it(dibs, slack, fake):
    import json

    from bot.intake.webhook import receive

    slack.command("watch")
    body = {"kind": "event", "title": "Booth at the Springfield Expo", "channel": CHANNEL, "due": "Jan 20"}
    answer = receive(dibs.services, TEAM, json.dumps(body).encode())
    assert answer.status == 201, answer.body
    assert _task(dibs).due_on == _next(1, 20)
    wrong = receive(dibs.services, TEAM, json.dumps({**body, "due": "soonish"}).encode())
    assert wrong.status == 400 and wrong.body["error"].startswith("due: expected a date like 2026-12-12, Jan 20")

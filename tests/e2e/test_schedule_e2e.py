"""The schedule end to end: real `dibs serve --http` processes, second-scale settings, the fake Slack."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.services import Services
from bot.settings import Settings, settings_from_yaml
from bot.tasks.service import NewTask
from store.db import make_engine, make_session_factory, migrate
from store.enums import PostState, Via
from store.models import OutboxPost
from tests.conftest import SECRET
from tests.support.helpers import BOOTH, nags, replies_stored, wait_until, watched_since_yesterday
from tests.support.payloads import Sender, message_event, reaction_event
from tests.support.server import HttpBot, bot_env
from tests.support.services import create_task

pytestmark = pytest.mark.e2e

FAST = """
working_hours: always
nag: {first_after: 2s, every: 2s}
digest: {days: none, quiet_window: 1s}
"""


def reminded(fake, task_id: int) -> list:
    """The list's moves and updates whose reminder line names #`task_id` as still waiting."""
    calls = [*fake.calls("chat.postMessage"), *fake.calls("chat.update")]
    lines = [(c, str(c.params.get("text") or "").splitlines()[0]) for c in calls]
    return [c for c, line in lines if "Still waiting for someone" in line and f"#{task_id}" in line.split(":", 2)[-1]]


def pending(database_url: str) -> int:
    """Outbox rows not yet sent or given up."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).where(OutboxPost.state == PostState.PENDING)) or 0)
    finally:
        engine.dispose()


def config(tmp_path, text: str, name: str = "dibs.yml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_reminders_stop_after_a_claim_and_resume_after_a_restart(fake, database_url, tmp_path):
    env = bot_env(fake.base_url, database_url, DIBS_CONFIG=config(tmp_path, FAST))
    bot = HttpBot(env, tmp_path / "one.log")
    try:
        slack = Sender(SECRET, url=bot.events_url)
        slack.command("watch")
        first = message_event(BOOTH)
        slack.event(first)
        replies_stored(database_url)
        wait_until(lambda: len(reminded(fake, 1)) >= 1)  # the channel's list went up, saying #1 waits
        assert len(nags(fake)) >= 1
        slack.event(reaction_event("reaction_added", "U2", first["ts"]))
        fake.wait_for("chat.update", predicate=lambda c: "<@U2>" in str(c.params.get("blocks")))
        claimed_with = len(reminded(fake, 1))
        second = message_event("Another booth at the trade show")
        slack.event(second)
        fake.wait_for("chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == second["ts"])
    finally:
        bot.stop()  # down before the second task's first reminder (2 s) was due
    assert reminded(fake, 2) == []
    restarted = HttpBot(env, tmp_path / "two.log")
    try:
        wait_until(lambda: len(reminded(fake, 2)) >= 1)
        time.sleep(3)
        assert len(reminded(fake, 1)) == claimed_with  # never again after the claim
    finally:
        restarted.stop()


def test_the_daily_digest_posts_once_across_two_processes(fake, pg_url, tmp_path):
    setup = HttpBot(bot_env(fake.base_url, pg_url, DIBS_CONFIG=config(tmp_path, FAST)), tmp_path / "setup.log")
    try:
        slack = Sender(SECRET, url=setup.events_url)
        slack.command("watch")
        slack.event(message_event(BOOTH))
        replies_stored(pg_url)
        slack.command("claim 1", user="U2")
        slack.event(message_event("Sending gifts to every customer"))
        replies_stored(pg_url, count=2)
    finally:
        setup.stop()
    watched_since_yesterday(pg_url)
    fake.clear()
    digest = config(tmp_path, "digest: {at: '00:00', days: mon-sun}\n", "digest.yml")
    env = bot_env(fake.base_url, pg_url, DIBS_CONFIG=digest)
    bots = [HttpBot(env, tmp_path / "a.log"), HttpBot(env, tmp_path / "b.log")]
    try:
        [posted] = fake.wait_for("chat.postMessage", predicate=lambda c: "thread_ts" not in c.params, timeout=40)
        shown = str(posted.params["blocks"])
        assert "Unclaimed (1)" in shown and "#2" in shown and "Taken (1)" in shown and "<@U2>" in shown
        time.sleep(2)  # both processes have ticked at start; only one of them posted
        assert len([c for c in fake.calls("chat.postMessage") if "thread_ts" not in c.params]) == 1
    finally:
        for bot in bots:
            bot.stop()


def test_two_processes_send_each_of_200_due_reminders_exactly_once(fake, pg_url, tmp_path):
    """200 channels' reminders fall due at once with two processes running: each channel's list goes up once."""
    settings = settings_from_yaml(
        {"working_hours": "always", "nag": {"first_after": "1s", "every": "1h"}}, Settings(database_url=pg_url)
    )
    engine = make_engine(pg_url)
    migrate(engine)
    svc = Services(make_session_factory(engine), settings, SystemClock())
    for n in range(200):  # one channel each: Slack's one-post-a-second-per-channel pace is not the point here
        ts = f"1700000{n:03d}.000100"
        create_task(
            svc,
            NewTask(
                team_id="T111",
                channel_id=f"C{n:05d}",
                kind="event",
                title=f"Booth {n}",
                slots=2,
                posted_by="U111",
                message_ts=ts,
                source=Via.MESSAGE,
            ),
        )
    engine.dispose()
    text = "working_hours: always\nnag: {first_after: 1s, every: 1h}\ndigest: {days: none}\n"
    env = bot_env(fake.base_url, pg_url, DIBS_CONFIG=config(tmp_path, text))
    bots = [HttpBot(env, tmp_path / "a.log"), HttpBot(env, tmp_path / "b.log")]
    try:
        wait_until(lambda: len(nags(fake)) >= 200, timeout=90)
        wait_until(lambda: not pending(pg_url), what="nothing left to send")  # so nothing more can come
        sent = nags(fake)  # each channel's list, posted once with its reminder
        assert len(sent) == 200
        assert sorted(c.params["channel"] for c in sent) == [f"C{n:05d}" for n in range(200)]
    finally:
        for bot in bots:
            bot.stop()

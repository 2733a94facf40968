"""End to end over real HTTP: the `dibs serve --http` process (waitress) against the fake Slack."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from threading import Barrier

import pytest
from sqlalchemy import create_engine, func, select

from bot.slack.ids import ActionId
from bot.staffing.seating import NOT_A_PERSON
from store.db import normalise_url
from store.enums import ClaimRole
from store.models import Claim, OutboxPost, Task
from tests.conftest import SECRET
from tests.support.helpers import BOOTH, blocks_text, replies_stored, wait_until
from tests.support.payloads import Sender, block_action, message_event, reaction_event
from tests.support.server import BotProcess, HttpBot, bot_env, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(fake, database_url, tmp_path):
    bot = HttpBot(bot_env(fake.base_url, database_url), tmp_path / "dibs.log")
    yield bot
    bot.stop()


def test_full_loop_over_http(server, fake, database_url):
    # One server for the whole loop: each start of `dibs serve` costs seconds, each step milliseconds.
    assert Sender("not-the-secret", url=server.events_url).command("watch").status == 401  # a bad signature
    assert fake.calls("conversations.join") == []
    slack = Sender(SECRET, url=server.events_url)
    challenge = slack.raw(
        json.dumps({"token": "t", "challenge": "3eZbrw1aBm", "type": "url_verification"}), "application/json"
    )
    assert challenge.status == 200 and challenge.json()["challenge"] == "3eZbrw1aBm"
    started = time.monotonic()
    assert "Watching <#C111>" in slack.command("watch").body
    post = message_event(BOOTH)
    assert slack.event(post).status == 200
    [reply] = fake.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == post["ts"] and "Who will staff this event?" in blocks_text(reply)
    replies_stored(database_url)
    slack.event(reaction_event("reaction_added", "U2", reply.response["ts"]))
    [update] = fake.wait_for("chat.update")
    assert "<@U2>" in blocks_text(update)
    assert time.monotonic() - started < 10
    assert slack.raw("{broken", "application/json").status == 400  # answered, not a crash
    assert "You own" not in slack.command("claim 1", user="U2").body  # already owner
    with urllib.request.urlopen(f"{server.base}/healthz") as health:
        assert health.status == 200

    # In the team's words: a day as people write it is the event's date, and the thread says which day it read.
    dated = message_event("Booth at the Springfield Expo on Jan 20 - who can staff it?")
    assert slack.event(dated).status == 200
    wait_until(lambda: any(c.params.get("thread_ts") == dated["ts"] for c in fake.calls("chat.postMessage")))
    [question] = [c for c in fake.calls("chat.postMessage") if c.params.get("thread_ts") == dated["ts"]]
    today = date.today()
    jan_20 = date(today.year, 1, 20) if today <= date(today.year, 1, 20) else date(today.year + 1, 1, 20)
    assert f"due {jan_20:%a} 20 Jan" in blocks_text(question)
    # A full task's button says what a click does there; a seat is never handed to Dibs.
    slack.command("claim 1", user="U3")  # the booth's second seat
    wait_until(lambda: "Join the waitlist" in blocks_text(fake.calls("chat.update")[-1]), what="a full thread")
    assert "I'll take it" not in blocks_text(fake.calls("chat.update")[-1])
    assert slack.command("swap 1 <@UBOT>", user="U2").body == NOT_A_PERSON

    # Acks return fast while Slack is slow: a 429's 2 s Retry-After is waited out after the ack.
    slack.command("watch", channel="C222")
    fake.fail_next("chat.postMessage", status=429, retry_after=2, channel="C222")
    started = time.monotonic()
    assert slack.event(message_event(BOOTH, channel="C222")).status == 200
    assert time.monotonic() - started < 1.5  # room for a busy CI
    there = lambda: [c for c in fake.calls("chat.postMessage") if c.params.get("channel") == "C222"]  # noqa: E731
    wait_until(lambda: len(there()) >= 2, 10, "the question after the 429")
    assert [c.status for c in there()] == [429, 200]


def test_twenty_clicks_on_a_one_slot_task_across_two_processes(fake, database_url, tmp_path):
    env = bot_env(fake.base_url, database_url)
    first = HttpBot(env, tmp_path / "one.log")
    second = HttpBot(env, tmp_path / "two.log")
    try:
        slack = Sender(SECRET, url=first.events_url)
        slack.command("watch")
        post = message_event("Sending gifts to every customer on Friday")  # gift_campaign: 1 slot
        slack.event(post)
        [reply] = fake.wait_for("chat.postMessage")
        replies_stored(database_url)
        senders = [Sender(SECRET, url=bot.events_url) for bot in (first, second)]
        barrier = Barrier(20)

        def click(n: int) -> int:
            barrier.wait()
            payload = block_action(ActionId.CLAIM, "1", f"U{n:03d}", reply.response["ts"], post["ts"])
            return senders[n % 2].interactive(payload).status

        with ThreadPoolExecutor(20) as pool:
            assert list(pool.map(click, range(20))) == [200] * 20
        fake.wait_for("chat.postEphemeral", count=19, timeout=20)
        engine = create_engine(normalise_url(database_url))
        with engine.connect() as connection:
            roles = [row.role for row in connection.execute(select(Claim.role))]
        engine.dispose()
        assert roles.count(ClaimRole.OWNER) == 1 and roles.count(ClaimRole.WAITING) == 19
    finally:
        first.stop()
        second.stop()


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True, timeout=60)


def test_missing_tokens_stop_start_up_with_one_clear_sentence(fake, tmp_path):
    env = bot_env(fake.base_url, f"sqlite:///{tmp_path}/d.db")
    del env["SLACK_SIGNING_SECRET"]
    result = run_cli("serve", "--http", env=env)
    assert result.returncode == 2
    assert 'SLACK_SIGNING_SECRET is not set; see "Create the Slack app" in README.md.' in result.stderr
    result = run_cli("serve", "--socket", env=env)
    assert result.returncode == 2 and "SLACK_APP_TOKEN is not set" in result.stderr


def test_a_bad_setting_stops_start_up_naming_the_key(fake, tmp_path):
    config = tmp_path / "dibs.yml"
    config.write_text("nag:\n  every: 2 hours\n")
    env = bot_env(fake.base_url, f"sqlite:///{tmp_path}/d.db", DIBS_CONFIG=str(config))
    result = run_cli("serve", "--http", env=env)
    assert result.returncode == 2
    assert "nag.every" in result.stderr and "30s, 15m, 2h or 1d" in result.stderr


def test_a_refused_token_or_a_dead_database_stops_start_up_with_one_sentence(fake, tmp_path):
    fake.set_response("auth.test", {"ok": False, "error": "invalid_auth"})
    result = run_cli("serve", "--http", env=bot_env(fake.base_url, f"sqlite:///{tmp_path}/d.db"))
    assert result.returncode == 2
    assert result.stderr == f"dibs: Slack at {fake.base_url} rejected SLACK_BOT_TOKEN (invalid_auth); " \
        'see "Create the Slack app" in README.md.\n'  # fmt: skip
    assert not (tmp_path / "d.db").exists()  # nothing is created before the checks pass
    fake.clear()
    dead = "postgresql://nobody@127.0.0.1:1/none"
    result = run_cli("serve", "--http", env=bot_env(fake.base_url, dead))
    assert result.returncode == 2 and "cannot open the database at DATABASE_URL" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_slack_that_cannot_be_reached_is_not_called_a_rejected_token(tmp_path):
    result = run_cli("serve", "--http", env=bot_env("http://127.0.0.1:9/api/", f"sqlite:///{tmp_path}/d.db"))
    assert result.returncode == 2
    assert result.stderr == "dibs: cannot reach Slack at http://127.0.0.1:9/api/ (Connection refused).\n"
    assert not (tmp_path / "d.db").exists()


def test_sigterm_stops_cleanly_and_hands_back_the_leases(fake, database_url, tmp_path):
    bot = HttpBot(bot_env(fake.base_url, database_url), tmp_path / "bot.log")
    try:
        slack = Sender(SECRET, url=bot.events_url)
        slack.command("watch")
        fake.delay("chat.postMessage", 2.0)  # the question is in flight when SIGTERM comes
        slack.event(message_event(BOOTH))
        fake.wait_for("chat.postMessage")
        bot.proc.send_signal(signal.SIGTERM)
        assert bot.proc.wait(timeout=15) == 0
    finally:
        bot.stop()
    log = bot.output()
    assert "SIGTERM: Dibs is stopping" in log and "Dibs stopped" in log and "Traceback" not in log
    engine = create_engine(normalise_url(database_url))
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).where(OutboxPost.lease_owner.is_not(None))) == 0
        assert connection.scalar(select(Task.reply_ts)) is not None  # the call in flight finished and was recorded
    engine.dispose()


def test_socket_mode_round_trip(fake, tmp_path):
    env = bot_env(fake.base_url, f"sqlite:///{tmp_path}/d.db", SLACK_APP_TOKEN="xapp-test")
    del env["SLACK_SIGNING_SECRET"]  # Socket Mode needs no signing secret
    ops = free_port()  # --metrics-port: Socket Mode's only HTTP port, for /metrics and /readyz
    bot = BotProcess(["serve", "--socket", "--metrics-port", str(ops)], env, tmp_path / "socket.log")
    try:
        assert fake.socket_connected(timeout=30), bot.output()
        [opened] = fake.calls("apps.connections.open")
        assert opened.token == "xapp-test"
        command = fake.socket_envelope(
            "slash_commands",
            {
                "token": "t",
                "team_id": "T111",
                "team_domain": "test",
                "channel_id": "C111",
                "channel_name": "m",
                "user_id": "U222",
                "user_name": "ana",
                "command": "/dibs",
                "text": "watch",
                "api_app_id": "A111",
                "response_url": fake.response_url("socket"),
                "trigger_id": "1.2.3",
            },
        )
        fake.socket_send(command)
        ack = fake.wait_socket_ack(command["envelope_id"], timeout=10)
        assert "Watching <#C111>" in json.dumps(ack)
        post = message_event(BOOTH)
        envelope = fake.socket_envelope(
            "events_api",
            {
                "token": "t",
                "team_id": "T111",
                "api_app_id": "A111",
                "event": post,
                "type": "event_callback",
                "event_id": "EvSOCKET1",
                "event_time": 1,
            },
        )
        fake.socket_send(envelope)
        fake.wait_socket_ack(envelope["envelope_id"], timeout=10)
        [reply] = fake.wait_for("chat.postMessage", timeout=10)
        assert reply.params["thread_ts"] == post["ts"]
        with urllib.request.urlopen(f"http://127.0.0.1:{ops}/readyz", timeout=5) as ready:  # connected: ready
            assert ready.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{ops}/metrics", timeout=5) as page:
            assert 'dibs_events_total{type="message"} 1.0' in page.read().decode()
        bot.proc.send_signal(signal.SIGTERM)  # reaches Dibs in Socket Mode too: a clean stop
        assert bot.proc.wait(timeout=15) == 0
        assert "SIGTERM: Dibs is stopping" in bot.output() and "Dibs stopped" in bot.output()
    finally:
        bot.stop()

"""Several `dibs serve` processes on one PostgreSQL, as an operator runs them behind a load balancer (HTTP) or
each with its own Socket Mode connection: nothing lost, nothing done twice, and the work shared."""

from __future__ import annotations

import itertools
import json
import re
import signal
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from store.db import make_engine
from store.enums import PostState
from store.models import Claim, OutboxPost, Task
from tests.conftest import SECRET
from tests.support.fakeslack import Call, FakeSlack
from tests.support.helpers import BOOTH, wait_until
from tests.support.payloads import Sender, command_form, event_envelope, message_event, reaction_event
from tests.support.server import BotProcess, HttpBot, bot_env

pytestmark = pytest.mark.e2e


def questions(fake: FakeSlack) -> Counter[str]:
    """How many questions Slack accepted in each post's thread (by the post's ts)."""
    return Counter(str(c.params["thread_ts"]) for c in fake.calls("chat.postMessage")
                   if c.status == 200 and c.params.get("thread_ts"))  # fmt: skip


def settled(url: str) -> bool:
    """Nothing left to send or being sent."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(OutboxPost.id).where(OutboxPost.state == PostState.PENDING)) is None
    finally:
        engine.dispose()


def claims(url: str) -> list[tuple[str, str]]:
    """Every claim kept, as (the post's ts, who)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [(str(ts), user) for ts, user in connection.execute(
                select(Task.message_ts, Claim.user_id).join(Claim, Claim.task_id == Task.id))]  # fmt: skip
    finally:
        engine.dispose()


def split(calls: list[Call]) -> dict[str, int]:
    return dict(sorted(Counter(c.via for c in calls).items()))


def start(envs: list[dict[str, str]], logs: list[Any]) -> list[HttpBot]:
    with ThreadPoolExecutor(len(envs)) as pool:  # each start costs seconds: start them side by side
        return list(pool.map(HttpBot, envs, logs))


def test_two_http_processes_share_a_burst_and_survive_a_rolling_restart(fake, pg_url, tmp_path):
    envs = [bot_env(f"{fake.api.site}/via-{name}/api/", pg_url) for name in "ab"]
    bots = start(envs, [tmp_path / "a.log", tmp_path / "b.log"])
    try:
        senders = [Sender(SECRET, url=bot.events_url) for bot in bots]
        assert "Watching <#C111>" in senders[0].command("watch").body
        turn, lock = itertools.count(), threading.Lock()
        live, resent = [True, True], list[str]()

        def send(body: dict[str, Any]) -> None:
            """To the live processes in turn, as a load balancer sends; a request refused or cut off is sent again
            (to the other one) with the same event_id, as Slack retries."""
            for _ in range(10):
                with lock:
                    n = next(turn)
                    order = [i for i in (n % 2, (n + 1) % 2) if live[i]]
                try:
                    if senders[order[0]].raw(json.dumps(body), "application/json").status == 200:
                        return
                except OSError:  # refused, or cut off by the stopping process: Slack sends it again
                    pass
                resent.append(body["event_id"])
                time.sleep(0.05)
            raise AssertionError(f"no process acked {body['event_id']}")

        # 1. A burst: 200 keyword posts, and 100 claims by distinct people, each on a post that exists.
        posts = [message_event(f"Booth {n} at the Springfield Expo - who can staff it?") for n in range(200)]

        def post_and_claim(n: int) -> None:
            send(event_envelope(posts[n]))
            if n < 100:
                send(event_envelope(reaction_event("reaction_added", f"U{n:03d}", posts[n]["ts"])))

        began = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(post_and_claim, range(200)))
        wait_until(lambda: len(questions(fake)) >= 200 and settled(pg_url), 60, "200 questions, nothing pending")
        wait_until(lambda: len(claims(pg_url)) >= 100, 30, "100 claims")
        took = time.monotonic() - began
        assert not resent, f"refused while both ran: {resent}"
        asked = questions(fake)
        assert sorted(asked) == sorted(p["ts"] for p in posts) and set(asked.values()) == {1}
        kept = claims(pg_url)
        assert sorted(kept) == sorted((posts[n]["ts"], f"U{n:03d}") for n in range(100)), "a claim lost or doubled"
        sent = [c for c in fake.calls() if c.at >= began]
        shares = split(sent)
        assert set(shares) == {"a", "b"} and all(0.25 <= v / len(sent) <= 0.75 for v in shares.values()), (
            f"calls by process: {shares} of {len(sent)}"
        )
        print(f"\nburst: {len(sent)} Slack calls in {took:.1f}s, by process {shares}")

        # 2. A rolling restart: process a gets SIGTERM mid-burst; b takes over what a held.
        # Calls take a little while: a holds leases on work queued behind its calls in flight when it stops.
        fake.delay("chat.postMessage", 0.02)
        more = [message_event(f"Booth {n} at the trade show - who can staff it?") for n in range(60)]
        done: list[int] = []

        def post(n: int) -> None:
            send(event_envelope(more[n], event_id=f"EvMORE{n:03d}"))
            done.append(n)

        with ThreadPoolExecutor(8) as pool:
            burst = pool.map(post, range(60))
            wait_until(lambda: len(done) >= 20, 30, "a third of the second burst")
            with lock:
                live[0] = False
            bots[0].proc.send_signal(signal.SIGTERM)
            assert bots[0].proc.wait(timeout=20) == 0, bots[0].output()
            exited = time.monotonic()
            list(burst)
        wait_until(lambda: all(questions(fake)[p["ts"]] for p in more) and settled(pg_url), 30, "every question")
        asked = questions(fake)
        assert [asked[p["ts"]] for p in more] == [1] * 60, "an acked post lost or asked twice"
        last = max(c.at for c in fake.calls("chat.postMessage") if c.params.get("thread_ts") in {p["ts"] for p in more})
        assert last - exited < 5, f"the last question came {last - exited:.1f}s after a stopped"
        log = bots[0].output()
        assert "Dibs stopped" in log and "Traceback" not in log
        [handed] = re.findall(r"handed back (\d+) lease", log) or ["0"]
        print(f"restart: {len(resent)} request(s) sent again, a handed back {handed} lease(s),"
              f" the last question {last - exited:+.2f}s after a exited")  # fmt: skip
        fake.delay("chat.postMessage", 0)

        # ... and a comes back and serves.
        bots[0] = HttpBot(envs[0], tmp_path / "a2.log")
        with urllib.request.urlopen(f"{bots[0].base}/healthz", timeout=5) as health:
            assert health.status == 200
        again = message_event(BOOTH)
        assert Sender(SECRET, url=bots[0].events_url).event(again).status == 200
        wait_until(lambda: questions(fake)[again["ts"]] == 1, 20, "the restarted process's question")
    finally:
        for bot in bots:
            bot.stop()


def socket_bot(fake: FakeSlack, url: str, name: str, log: Any) -> BotProcess:
    env = bot_env(f"{fake.api.site}/via-{name}/api/", url, SLACK_APP_TOKEN="xapp-test")
    del env["SLACK_SIGNING_SECRET"]
    return BotProcess(["serve", "--socket"], env, log)


def envelope(fake: FakeSlack, event: dict[str, Any]) -> dict[str, Any]:
    return fake.socket_envelope("events_api", event_envelope(event))


def test_two_socket_mode_processes_each_with_its_own_connection(fake, pg_url, tmp_path):
    fake.socket_spread = True
    bots = [socket_bot(fake, pg_url, name, tmp_path / f"{name}.log") for name in "ab"]
    try:
        wait_until(lambda: fake.socket_count() == 2, 40, "two Socket Mode connections")
        watch = fake.socket_envelope("slash_commands", dict(parse_qsl(command_form("watch"))))
        fake.socket_send(watch)
        fake.wait_socket_ack(watch["envelope_id"], timeout=10)
        posts = [message_event(f"Booth {n} at the Springfield Expo - who can staff it?") for n in range(40)]
        began = time.monotonic()
        sent = [envelope(fake, post) for post in posts]
        for one in sent:
            assert fake.socket_send(one) == 1
        for one in sent:
            fake.wait_socket_ack(one["envelope_id"], timeout=20)
        wait_until(lambda: len(questions(fake)) >= 40 and settled(pg_url), 30, "40 questions")
        asked = questions(fake)
        assert [asked[p["ts"]] for p in posts] == [1] * 40
        shares = split([c for c in fake.calls() if c.at >= began])
        assert set(shares) == {"a", "b"}, f"calls by process: {shares}"
        print(f"\nsocket mode: calls by process {shares}")

        bots[0].proc.send_signal(signal.SIGTERM)
        assert bots[0].proc.wait(timeout=20) == 0, bots[0].output()
        wait_until(lambda: fake.socket_count() == 1, 10, "one connection left")
        later = [message_event(f"Booth {n} at the trade show - who can staff it?") for n in range(10)]
        for post in later:
            one = envelope(fake, post)
            assert fake.socket_send(one) == 1
            fake.wait_socket_ack(one["envelope_id"], timeout=10)
        wait_until(lambda: all(questions(fake)[p["ts"]] for p in later) and settled(pg_url), 20, "10 questions")
        asked = questions(fake)
        assert [asked[p["ts"]] for p in [*posts, *later]] == [1] * 50
    finally:
        for bot in bots:
            bot.stop()

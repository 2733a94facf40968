"""What finding each request's token costs with many workspaces, against one bot token. Run by hand;
nothing fails on speed.

    .venv/bin/python -m bench.authorize --databases sqlite,postgresql --requests 3000

In one process, against the fake Slack of the tests (in this process too), it sends signed requests
straight into the Bolt app (`App.dispatch`, no HTTP server: the difference between the modes is all
that is left) and times each one:

- **one token**: `SLACK_BOT_TOKEN` (Bolt's single-workspace authorisation, checked once at start);
- **many, Dibs**: installed through the OAuth flow; `StoredBotAuthorize` takes the bot from memory;
- **many, Bolt's store lookup**: Bolt's own `InstallationStoreAuthorize` with its `auth.test` cache
  on: a read of the installation tables on every request;
- **many, Bolt's default**: the same without the cache: that read and an `auth.test` call to Slack (here
  the fake on loopback) on every request.

Two requests: a chatter message in a watched channel (Dibs decides it from memory: no write, no
Slack call), and `/dibs list` (reads the database).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta

from slack_bolt import BoltRequest
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.middleware.authorization.multi_teams_authorization import MultiTeamsAuthorization

from bench.schedule import fresh
from bot.app import Dibs, create_app
from bot.installs.tokens import ManyWorkspaces
from bot.settings import Settings
from tests.support.clock import SkippingClock
from tests.support.fakeslack import FakeSlack
from tests.support.installs import OAUTH, install, serving
from tests.support.payloads import command_form, event_envelope, message_event, signed_headers

SECRET = "bench-signing-secret"
TEAM = "T111"
MODES = ("one token", "many, Dibs", "many, Bolt's store lookup", "many, Bolt's default")


def use_bolts_authorize(bot: Dibs, cache: bool) -> None:
    """Put Bolt's own InstallationStoreAuthorize in place of Dibs's, in the running app."""
    installs = bot.services.installs
    assert isinstance(installs, ManyWorkspaces)
    stock = InstallationStoreAuthorize(
        logger=bot.app.logger, installation_store=installs.store, bot_only=True, cache_enabled=cache
    )
    [middleware] = [m for m in bot.app._middleware_list if isinstance(m, MultiTeamsAuthorization)]
    middleware.authorize = stock


@contextmanager
def bot_in(mode: str, settings: Settings, fake: FakeSlack) -> Iterator[Dibs]:
    if mode == "one token":
        bot = create_app(settings.model_copy(update={"bot_token": "xoxb-test"}), clock=SkippingClock())
    else:
        bot = create_app(settings.model_copy(update={"bot_token": None, **OAUTH}), clock=SkippingClock())
        with serving(bot.wsgi()) as base:
            assert install(base, fake, TEAM).status == 200
        if mode != "many, Dibs":
            use_bolts_authorize(bot, cache=mode == "many, Bolt's store lookup")
    try:
        yield bot
    finally:
        bot.shutdown()


def request(body: str, content_type: str) -> BoltRequest:
    headers = signed_headers(body, SECRET, content_type=content_type)
    return BoltRequest(body=body, headers={k: [v] for k, v in headers.items()})


def chatter() -> BoltRequest:
    return request(json.dumps(event_envelope(message_event("lunch at noon, anyone?"), team=TEAM)), "application/json")


def listing() -> BoltRequest:
    return request(command_form("list", team=TEAM), "application/x-www-form-urlencoded")


def timed(bot: Dibs, make: Callable[[], BoltRequest], count: int) -> list[float]:
    """Per-request wall time in microseconds (requests built beforehand)."""
    requests = [make() for _ in range(count)]
    times = []
    for req in requests:
        started = time.perf_counter()
        response = bot.app.dispatch(req)
        times.append((time.perf_counter() - started) * 1e6)
        assert response.status == 200, response.body
    return times


def run(database: str, admin_url: str, count: int, rounds: int) -> list[tuple[str, str, list[float], int]]:
    """Every mode's bot at once; the modes take turns, `rounds` times, so a busy moment of the machine
    falls on all of them alike."""
    times: dict[tuple[str, str], list[float]] = {}
    tests: dict[tuple[str, str], int] = {}
    with FakeSlack() as fake, ExitStack() as stack:
        bots = {}
        for mode in MODES:
            url, drop = fresh(database, admin_url)
            stack.callback(drop)
            settings = Settings(signing_secret=SECRET, api_url=fake.base_url, database_url=url)
            bots[mode] = bot = stack.enter_context(bot_in(mode, settings, fake))
            bot.app.dispatch(request(command_form("watch", team=TEAM), "application/x-www-form-urlencoded"))
            bot.deliver(linger=timedelta(0))
        for name, make in (("chatter", chatter), ("/dibs list", listing)):
            for bot in bots.values():
                timed(bot, make, max(count // 10, 50))  # warm-up
            for _ in range(rounds):
                for mode, bot in bots.items():
                    before = len(fake.calls("auth.test"))
                    times.setdefault((name, mode), []).extend(timed(bot, make, count // rounds))
                    tests[(name, mode)] = tests.get((name, mode), 0) + len(fake.calls("auth.test")) - before
    return [(name, mode, found, tests[(name, mode)]) for (name, mode), found in times.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    for database in args.databases.split(","):
        rows = run(database, args.postgres, args.requests, args.rounds)
        print(f"\n### {database}, {args.requests} requests each (µs per request, in-process)\n")
        print("| request | mode | p50 | p90 | p99 | mean | extra p50 vs one token | auth.test calls |")
        print("|---|---|---|---|---|---|---|---|")
        base: dict[str, float] = {}
        for name, mode, times, tests in rows:
            cuts = statistics.quantiles(times, n=100)
            p50, p90, p99 = statistics.median(times), cuts[89], cuts[98]
            base.setdefault(name, p50)
            extra = "" if mode == "one token" else f"{p50 - base[name]:+.0f}"
            print(f"| {name} | {mode} | {p50:.0f} | {p90:.0f} | {p99:.0f} | {statistics.fmean(times):.0f} |"
                  f" {extra} | {tests} |")  # fmt: skip


if __name__ == "__main__":
    main()

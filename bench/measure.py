"""One run of the load benchmark: one server at one rate on one database, measured (see bench/run.py).

A run: a fresh fake Slack process, a fresh database (for Dibs and the work floor; the framework floor has
none), the server pinned to its core; wait for GET /healthz, note the idle memory, send `/dibs watch` for
C111, then `warmup + seconds` of events at the rate (bench/load.py); only the events due after the warm-up
are measured. Afterwards wait up to `grace` seconds after the last event for the thread replies, then (up
to a minute more) for the server to go idle, and read its CPU time and peak memory.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.fakeslack_proc import FakeSlackProcess, SlackCall
from bench.load import plan, send_all, send_one, watch_command
from bench.servers import SECRET, Server, cpu_seconds, fresh_database, machine_busy_seconds, memory_mb, server_env

SERVERS = ("floor", "workfloor", "dibs")  # the order they run in, at each rate
NAMES = {"floor": "framework floor", "workfloor": "work floor", "dibs": "Dibs"}


@dataclass
class Run:
    """The measurements of one server at one rate on one database (times in seconds, memory in MB)."""

    server: str
    database: str
    rate: float
    events: int = 0
    acks: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    errors: int = 0
    cpu_per_event: float = 0.0
    idle_mb: float = 0.0
    peak_mb: float = 0.0
    questions: list[float] = field(default_factory=list)
    missing: int = 0
    logged_errors: int = 0
    queue_depth: int = 0
    fake_cpu: float = 0.0
    generator_cpu: float = 0.0
    other_load: float = 0.0  # cores used by everything else on the machine during the window (PostgreSQL too)
    slack_calls: Counter[str] = field(default_factory=Counter)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def first_questions(calls: list[SlackCall], wanted: dict[str, float]) -> dict[str, float]:
    """For each post ts in `wanted`, when the first accepted chat.postMessage into its thread arrived."""
    found: dict[str, float] = {}
    for call in calls:
        if call.method == "chat.postMessage" and call.status == 200 and call.thread_ts in wanted:
            found.setdefault(call.thread_ts, call.at)
    return found


def wait_for_questions(fake: FakeSlackProcess, wanted: dict[str, float], deadline: float) -> dict[str, float]:
    while True:
        found = first_questions(fake.calls(), wanted)
        if len(found) == len(wanted) or time.monotonic() >= deadline:
            return found
        time.sleep(0.25)


def wait_until_idle(pid: int, deadline: float, step: float = 0.5) -> None:
    """Wait until the server used at most 2 clock ticks of CPU in `step` seconds, or `deadline` passed."""
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(step)
        now = cpu_seconds(pid)
        if now - before <= 2 / os.sysconf("SC_CLK_TCK"):
            return
        before = now


def measure(name: str, database: str, rate: float, args: argparse.Namespace, cpus: tuple[set[int], set[int]]) -> Run:
    """One run of server `name` ("dibs", "workfloor" or "floor") at `rate` events/s."""
    server_cpus, other_cpus = cpus
    run = Run(name, database, rate)
    many = name == "dibs" and args.workspaces == "many"
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dibs-loadbench-")))
        fake = FakeSlackProcess(other_cpus)
        calls: list[SlackCall] = []

        @stack.callback
        def stop_fake() -> None:
            calls.extend(fake.stop())

        if name == "floor":
            url = f"sqlite:///{workdir / 'unused.db'}"  # the framework floor has no database
        else:
            url = stack.enter_context(fresh_database(database, workdir, args.postgres))
        env = server_env(fake.base_url, url, workdir / "dibs.yml")
        if many:
            env = many_workspaces_env(env)
        server = Server(name, env, workdir / f"{name}.log", server_cpus, args.threads)
        stack.callback(server.stop)
        server.wait_healthy()
        if many:
            install_workspace(f"http://127.0.0.1:{server.port}")
        run.idle_mb = memory_mb(server.pid, "VmRSS")
        if (status := send_one("127.0.0.1", server.port, watch_command("127.0.0.1", server.port, SECRET))) != 200:
            raise RuntimeError(f"/dibs watch answered {status}:\n{server.log.read_text()}")

        requests = plan(rate, args.warmup + args.seconds, "127.0.0.1", server.port, SECRET)
        marks: dict[str, float] = {}

        def readings() -> dict[str, float]:
            own = resource.getrusage(resource.RUSAGE_SELF)
            return {
                "server": cpu_seconds(server.pid),
                "fake": cpu_seconds(fake.pid),
                "generator": own.ru_utime + own.ru_stime,
                "machine": machine_busy_seconds(),
                "at": time.monotonic(),
            }

        def window_starts() -> None:
            marks.update(readings())

        start = time.monotonic() + 0.2
        results = send_all("127.0.0.1", server.port, requests, start, args.warmup, window_starts)
        used = {key: value - marks[key] for key, value in readings().items()}
        run.generator_cpu, run.fake_cpu = used["generator"], used["fake"]
        run.other_load = (used["machine"] - used["server"] - used["fake"] - used["generator"]) / used["at"]

        measured = [(r, q) for r, q in zip(requests, results, strict=True) if r.due >= args.warmup]
        run.events = len(measured)
        run.acks = [q.latency for _, q in measured if q.status == 200]
        run.lags = [q.lag for _, q in measured]
        run.errors = sum(q.status != 200 for _, q in measured)
        deadline = start + requests[-1].due + args.grace
        posts = {r.ts: start + r.due for r, _ in measured if r.kind == "post"} if name != "floor" else {}
        found = wait_for_questions(fake, posts, deadline)
        run.questions = [found[ts] - due for ts, due in posts.items() if ts in found]
        run.missing = len(posts) - len(found)
        wait_until_idle(server.pid, max(deadline, time.monotonic()) + 60)  # all the work the events caused
        run.cpu_per_event = (cpu_seconds(server.pid) - marks["server"]) / run.events
        run.peak_mb = memory_mb(server.pid, "VmHWM")
        server.stop()
        run.logged_errors = server.errors_logged()
        run.queue_depth = server.deepest_queue()
    run.slack_calls = Counter(call.method for call in calls if call.status == 200)
    return run


def many_workspaces_env(env: dict[str, str]) -> dict[str, str]:
    """Dibs with the app's credentials instead of a bot token (the OAuth flow installs the workspace)."""
    from tests.support.installs import OAUTH

    env = {k: v for k, v in env.items() if k != "SLACK_BOT_TOKEN"}
    env.update(SLACK_CLIENT_ID=OAUTH["client_id"], SLACK_CLIENT_SECRET=OAUTH["client_secret"],
               SLACK_STATE_SECRET=OAUTH["state_secret"])  # fmt: skip
    return env


def install_workspace(base: str, team: str = "T111") -> None:
    """Install Dibs in the workspace the load comes from, through the install page and the fake's
    authorize page (told where to send the browser back, as a manifest's redirect URL would)."""
    from urllib.parse import quote

    from tests.support.installs import add_to_slack_link, get

    start = get(f"{base}/slack/install?team={team}")
    link = add_to_slack_link(start) + "&redirect_uri=" + quote(f"{base}/slack/oauth_redirect", safe="")
    back = get(link)
    done = get(back.headers["location"], cookie=start.cookie)
    if done.status != 200:
        raise RuntimeError(f"the install failed: {done.status} {done.body}")

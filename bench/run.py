"""Run the benchmark: Dibs and the bare Bolt floor, alternately, at fixed open-loop rates; write results.md.

    .venv/bin/python -m bench.run --databases sqlite,postgresql --rates 50,100,200 --seconds 15

For each database and rate it runs the floor, then Dibs, each time with a fresh fake Slack process, a
fresh server process and (for Dibs) a fresh database. A run: wait for GET /healthz, note the idle memory,
send `/dibs watch` for C111, then send `warmup + seconds` of events at the rate (see bench/load.py); only
the events due after the warm-up are measured. Afterwards it waits up to `grace` seconds after the last
event for Dibs's thread replies, then (up to a minute more) for the server to go idle, and reads the
server's CPU time and peak memory. The server is pinned to core 0, this process and the fake Slack to the
other cores.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psycopg

from bench.fakeslack_proc import FakeSlackProcess, SlackCall
from bench.load import plan, send_all, send_one, watch_command
from bench.servers import (
    SECRET,
    Server,
    cpu_seconds,
    fresh_database,
    machine_busy_seconds,
    memory_mb,
    server_env,
)

RESULTS = Path(__file__).with_name("results.md")
LAG_NOTE = 0.005  # generator lag worth reporting, in seconds


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
    """One run of server `name` ("dibs" or "floor") at `rate` events/s."""
    server_cpus, other_cpus = cpus
    run = Run(name, database, rate)
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dibs-loadbench-")))
        fake = FakeSlackProcess(other_cpus)
        calls: list[SlackCall] = []

        @stack.callback
        def stop_fake() -> None:
            calls.extend(fake.stop())

        if name == "dibs":
            url = stack.enter_context(fresh_database(database, workdir, args.postgres))
        else:
            url = f"sqlite:///{workdir / 'unused.db'}"  # the floor has no database
        env = server_env(fake.base_url, url, workdir / "dibs.yml")
        if name == "dibs" and args.workspaces == "many":
            env = many_workspaces_env(env)
        server = Server(name, env, workdir / f"{name}.log", server_cpus, args.threads)
        stack.callback(server.stop)
        server.wait_healthy()
        if name == "dibs" and args.workspaces == "many":
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
        posts = {r.ts: start + r.due for r, _ in measured if r.kind == "post"} if name == "dibs" else {}
        found = wait_for_questions(fake, posts, deadline)
        run.questions = [found[ts] - due for ts, due in posts.items() if ts in found]
        run.missing = len(posts) - len(found)
        wait_until_idle(server.pid, max(deadline, time.monotonic()) + 60)  # all the work the events caused
        run.cpu_per_event = (cpu_seconds(server.pid) - marks["server"]) / run.events
        run.peak_mb = memory_mb(server.pid, "VmHWM")
        server.stop()
        run.logged_errors = server.errors_logged()
        run.queue_depth = server.deepest_queue()
    run.slack_calls = Counter(call.method for call in calls)
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


# ---------------------------------------------------------------------------------------------- report
def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "–"
    return f"{seconds * 1000:.1f}" if seconds < 0.1 else f"{seconds * 1000:.0f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b > 0 else "–"


def table(pairs: list[tuple[Run, Run]]) -> list[str]:
    lines = [
        "| rate (events/s) | ack p50 / p99 Dibs (ms) | ack p50 / p99 floor (ms) | p99 ratio | CPU/event Dibs (ms)"
        " | CPU/event floor (ms) | CPU ratio | post→question p50 / p99 (ms) | questions missing"
        " | errors Dibs / floor | peak memory Dibs / floor (MB) | idle memory Dibs / floor (MB) |",
        "|" + "---:|" * 12,
    ]
    for floor, dibs in pairs:
        d99, f99 = percentile(dibs.acks, 99), percentile(floor.acks, 99)
        cells = [
            f"{dibs.rate:g}",
            f"{ms(percentile(dibs.acks, 50))} / {ms(d99)}",
            f"{ms(percentile(floor.acks, 50))} / {ms(f99)}",
            ratio(d99, f99),
            f"{dibs.cpu_per_event * 1000:.2f}",
            f"{floor.cpu_per_event * 1000:.2f}",
            ratio(dibs.cpu_per_event, floor.cpu_per_event),
            f"{ms(percentile(dibs.questions, 50))} / {ms(percentile(dibs.questions, 99))}",
            f"{dibs.missing} of {dibs.missing + len(dibs.questions)}",
            f"{dibs.errors} / {floor.errors}",
            f"{dibs.peak_mb:.0f} / {floor.peak_mb:.0f}",
            f"{dibs.idle_mb:.0f} / {floor.idle_mb:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def machine(databases: Sequence[str], admin_url: str) -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changes = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!bench"], capture_output=True, text=True)
    tree = "uncommitted changes outside bench/" if changes.stdout.strip() else "no uncommitted changes outside bench/"
    lines = [
        f"- CPU: {model}, {os.cpu_count()} cores; Linux {platform.release()}",
        f"- Python {platform.python_version()}; slack-bolt {version('slack-bolt')}, waitress {version('waitress')},"
        f" SQLAlchemy {version('SQLAlchemy')}, psycopg {version('psycopg')}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Dibs at commit {commit or 'unknown'}, {tree}",
    ]
    if "postgresql" in databases:
        with psycopg.connect(admin_url) as connection:
            row = connection.execute("SHOW server_version").fetchone()
        lines.append(f"- PostgreSQL {row[0] if row else '?'} on 127.0.0.1 (not pinned; its CPU is not in CPU/event)")
    return lines


def report(runs: dict[str, list[tuple[Run, Run]]], args: argparse.Namespace, command: str, took: float) -> str:
    out = [
        "# Dibs load benchmark",
        "",
        f"`dibs serve --http` against a bare slack-bolt app with no-op listeners (the floor, bench/floor.py),"
        f" both on waitress with 1 process and {args.threads} threads, pinned to core 0. Open-loop load over"
        f" loopback HTTP, signed like Slack: 40 % keyword posts, 40 % chatter, 20 % claim reactions."
        f" Each run: {args.warmup:g} s warm-up at the rate (not measured), then {args.seconds:g} s measured;"
        f" CPU/event counts the server process from the start of the measured window until it went idle after"
        f" the load; questions missing = no thread reply within {args.grace:g} s after the last event."
        " See bench/README.md for what each column means.",
        "",
        *machine(list(runs), args.postgres),
        f"- Command: `{command}` (took {took / 60:.1f} min)",
    ]
    for database, pairs in runs.items():
        out += ["", f"## {database}", "", *table(pairs)]
        all_runs = [run for pair in pairs for run in pair]
        lags = [lag for run in all_runs for lag in run.lags]
        late = [
            f"{r.server} at {r.rate:g}/s: p99 {ms(percentile(r.lags, 99))} ms, max {ms(max(r.lags))} ms"
            for r in all_runs
            if max(r.lags) > LAG_NOTE
        ]
        out += ["", f"Generator lag (sent − due): p99 {ms(percentile(lags, 99))} ms, max {ms(max(lags))} ms."]
        if late:
            out.append(f"Runs with requests sent more than {LAG_NOTE * 1000:.0f} ms late: {'; '.join(late)}.")
        logged = [f"{r.server} at {r.rate:g}/s: {r.logged_errors}" for r in all_runs if r.logged_errors]
        if logged:
            out.append(f"Server log lines at ERROR level: {'; '.join(logged)}.")
        other = ", ".join(f"{r.server} {r.rate:g}/s {r.other_load:.2f}" for r in all_runs)
        out.append(
            "CPU used by everything else on the machine (PostgreSQL included) during each measured window, in cores"
            f" (approximate, ±0.2: /proc/stat samples at clock ticks; near 0 means nothing else ran): {other}."
        )
        queued = [f"{r.server} at {r.rate:g}/s: {r.queue_depth}" for r in all_runs if r.queue_depth]
        if queued:
            out.append(f"Deepest waitress task queue (requests waiting for a thread): {'; '.join(queued)}.")
    return "\n".join(out) + "\n"


def progress(run: Run) -> str:
    """One line per run on stdout, with what the table leaves out."""
    parts = [
        f"{run.database} {run.server} {run.rate:g}/s: ack p50 {ms(percentile(run.acks, 50))}"
        f" p99 {ms(percentile(run.acks, 99))} ms",
        f"errors {run.errors}",
        f"CPU/event {run.cpu_per_event * 1000:.2f} ms",
        f"question p50 {ms(percentile(run.questions, 50))} p99 {ms(percentile(run.questions, 99))} ms",
        f"missing {run.missing}",
        f"lag p99 {ms(percentile(run.lags, 99))} max {ms(max(run.lags))} ms",
        f"idle {run.idle_mb:.0f} MB, peak {run.peak_mb:.0f} MB",
        f"logged errors {run.logged_errors}",
        f"waitress queue {run.queue_depth}",
        f"fake Slack CPU {run.fake_cpu:.1f} s, generator CPU {run.generator_cpu:.1f} s",
        f"other load {run.other_load:.2f} cores",
        "Slack calls: " + ", ".join(f"{method} {count}" for method, count in sorted(run.slack_calls.items())),
    ]
    return "; ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both, comma-separated")
    parser.add_argument("--rates", default="50,100,200", help="events per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load before the measured window")
    parser.add_argument("--grace", type=float, default=10, help="seconds to wait for thread replies after the load")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of both servers")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the markdown report")
    parser.add_argument("--workspaces", choices=("one", "many"), default="one",
                        help="Dibs with SLACK_BOT_TOKEN (one) or installed through the OAuth flow (many)")  # fmt: skip
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if unknown := set(databases) - {"sqlite", "postgresql"}:
        parser.error(f"unknown database {', '.join(sorted(unknown))}")
    rates = [float(r) for r in args.rates.split(",")]
    raw = sys.argv[1:] if argv is None else list(argv)
    command = f"{os.path.relpath(sys.executable)} -m bench.run {shlex.join(raw)}".strip()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the servers, drop the database
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    cores = sorted(os.sched_getaffinity(0))
    server_cpus, other_cpus = ({cores[0]}, set(cores[1:])) if len(cores) > 1 else (set(), set())
    if other_cpus:
        os.sched_setaffinity(0, other_cpus)

    began = time.monotonic()
    runs: dict[str, list[tuple[Run, Run]]] = {}
    for database in databases:
        for rate in rates:
            floor = measure("floor", database, rate, args, (server_cpus, other_cpus))
            print(progress(floor), flush=True)
            dibs = measure("dibs", database, rate, args, (server_cpus, other_cpus))
            print(progress(dibs), flush=True)
            runs.setdefault(database, []).append((floor, dibs))
    args.out.write_text(report(runs, args, command, time.monotonic() - began))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

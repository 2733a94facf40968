"""The markdown of bench/run.py: per database, one table of acks and CPU, one of the work after the ack.

Each row is one rate; each server's numbers come from its own run at that rate, and Dibs's ratios are to the
floors measured in the same session (floor, work floor, Dibs, one after the other at each rate).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psycopg

from bench.measure import SERVERS, Run, percentile

LAG_NOTE = 0.005  # generator lag worth reporting, in seconds
Row = dict[str, Run]  # one rate: the runs of the servers measured at it, by server name
FLOORS = (
    "- **framework floor** (bench/floor.py): slack-bolt with no-op listeners; it parses, verifies and acks.",
    "- **work floor** (bench/workfloor.py): the same, plus the least a correct Dibs must do: a keyword post is"
    " one INSERT committed before the ack, then (on a pool of 4 worker threads) `chat.postMessage` of the"
    " question into its thread and one UPDATE storing the question's ts; a claim reaction is one INSERT before"
    " the ack and one `chat.update` after it. SQLAlchemy Core on the same engine settings as Dibs.",
    "- **Dibs**: `dibs serve --http`.",
)


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "–"
    return f"{seconds * 1000:.1f}" if seconds < 0.1 else f"{seconds * 1000:.0f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b > 0 and not math.isnan(a) and not math.isnan(b) else "–"


def _cell(row: Row, show: Callable[[Run], str], servers: Sequence[str] = ("dibs", "workfloor", "floor")) -> str:
    return " / ".join(show(row[s]) if s in row else "–" for s in servers)


def _dibs_ratio(row: Row, floor: str, value: Callable[[Run], float]) -> str:
    return ratio(value(row["dibs"]), value(row[floor])) if "dibs" in row and floor in row else "–"


def _p99(run: Run) -> float:
    return percentile(run.acks, 99)


def _cpu(run: Run) -> float:
    return run.cpu_per_event


def _acks(run: Run) -> str:
    return f"{ms(percentile(run.acks, 50))} / {ms(_p99(run))}"


def _questions(run: Run) -> str:
    return f"{ms(percentile(run.questions, 50))} / {ms(percentile(run.questions, 99))}"


def _calls(run: Run) -> str:
    wanted = ("chat.postMessage", "chat.update", "chat.postEphemeral")
    counts = [f"{run.slack_calls[m]}" for m in wanted]
    others = sum(n for m, n in run.slack_calls.items() if m not in (*wanted, "auth.test"))
    return "/".join(counts) + (f" (+{others})" if others else "")


def tables(rows: list[Row]) -> list[str]:
    """Two tables: acks and CPU with Dibs's ratios to each floor; the work after the ack, errors, memory."""
    first = [
        "| rate (events/s) | ack p50 / p99 (ms): Dibs | work floor | framework floor | ack p99 ratio: Dibs ÷ work floor"
        " | Dibs ÷ framework floor | CPU/event (ms): Dibs / work floor / framework floor | CPU ratio: Dibs ÷ work floor"
        " | Dibs ÷ framework floor |",
        "|" + "---:|" * 9,
    ]
    second = [
        "| rate (events/s) | post→question p50 / p99 (ms): Dibs | work floor | questions missing: Dibs / work floor"
        " | errors: Dibs / work / framework | peak memory (MB): Dibs / work / framework"
        " | idle memory (MB): Dibs / work / framework"
        " | Slack calls accepted, postMessage/update/postEphemeral: Dibs | work floor |",
        "|" + "---:|" * 9,
    ]
    for row in rows:
        rate = f"{next(iter(row.values())).rate:g}"
        first.append("| " + " | ".join([
            rate,
            *(_acks(row[s]) if s in row else "–" for s in ("dibs", "workfloor", "floor")),
            _dibs_ratio(row, "workfloor", _p99),
            _dibs_ratio(row, "floor", _p99),
            _cell(row, lambda r: f"{r.cpu_per_event * 1000:.2f}"),
            _dibs_ratio(row, "workfloor", _cpu),
            _dibs_ratio(row, "floor", _cpu),
        ]) + " |")  # fmt: skip
        second.append("| " + " | ".join([
            rate,
            *(_questions(row[s]) if s in row else "–" for s in ("dibs", "workfloor")),
            _cell(row, lambda r: f"{r.missing} of {r.missing + len(r.questions)}", ("dibs", "workfloor")),
            _cell(row, lambda r: str(r.errors)),
            _cell(row, lambda r: f"{r.peak_mb:.0f}"),
            _cell(row, lambda r: f"{r.idle_mb:.0f}"),
            *(_calls(row[s]) if s in row else "–" for s in ("dibs", "workfloor")),
        ]) + " |")  # fmt: skip
    return [*first, "", *second]


def machine(databases: Sequence[str], admin_url: str) -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changes = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!bench"], capture_output=True, text=True)
    tree = "uncommitted changes outside bench/" if changes.stdout.strip() else "no uncommitted changes outside bench/"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"- CPU: {model}, {os.cpu_count()} cores; Linux {platform.release()}; load average at the end {load}",
        f"- Python {platform.python_version()}; slack-bolt {version('slack-bolt')}, waitress {version('waitress')},"
        f" SQLAlchemy {version('SQLAlchemy')}, psycopg {version('psycopg')}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Dibs at commit {commit or 'unknown'}, {tree}",
    ]
    if "postgresql" in databases:
        with psycopg.connect(admin_url) as connection:
            row = connection.execute("SHOW server_version").fetchone()
        lines.append(f"- PostgreSQL {row[0] if row else '?'} on 127.0.0.1 (not pinned; its CPU is not in CPU/event)")
    return lines


def notes(runs: list[Run]) -> list[str]:
    """Under a database's tables: generator lag, logged errors, the machine's other load, waitress's queue."""
    lags = [lag for run in runs for lag in run.lags]
    late = [f"{r.server} at {r.rate:g}/s: p99 {ms(percentile(r.lags, 99))} ms, max {ms(max(r.lags))} ms"
            for r in runs if max(r.lags) > LAG_NOTE]  # fmt: skip
    out = ["", f"Generator lag (sent − due): p99 {ms(percentile(lags, 99))} ms, max {ms(max(lags))} ms."]
    if late:
        out.append(f"Runs with requests sent more than {LAG_NOTE * 1000:.0f} ms late: {'; '.join(late)}.")
    if logged := [f"{r.server} at {r.rate:g}/s: {r.logged_errors}" for r in runs if r.logged_errors]:
        out.append(f"Server log lines at ERROR level: {'; '.join(logged)}.")
    other = ", ".join(f"{r.server} {r.rate:g}/s {r.other_load:.2f}" for r in runs)
    out.append(
        "CPU used by everything else on the machine (PostgreSQL included) during each measured window, in cores"
        f" (approximate, ±0.2: /proc/stat samples at clock ticks; near 0 means nothing else ran): {other}."
    )
    if queued := [f"{r.server} at {r.rate:g}/s: {r.queue_depth}" for r in runs if r.queue_depth]:
        out.append(f"Deepest waitress task queue (requests waiting for a thread): {'; '.join(queued)}.")
    return out


def report(runs: dict[str, list[Row]], args: argparse.Namespace, command: str, took: float) -> str:
    out = [
        "# Dibs load benchmark",
        "",
        f"`dibs serve --http` against two baselines, all on waitress with 1 process and {args.threads} threads,"
        f" pinned to core 0. Open-loop load over loopback HTTP, signed like Slack: 40 % keyword posts, 40 %"
        f" chatter, 20 % claim reactions. Each run: {args.warmup:g} s warm-up at the rate (not measured), then"
        f" {args.seconds:g} s measured; CPU/event counts the server process from the start of the measured window"
        f" until it went idle after the load; questions missing = no thread reply within {args.grace:g} s after"
        " the last event. See bench/README.md for what each column means.",
        "",
        *FLOORS,
        "",
        *machine(list(runs), args.postgres),
        f"- Command: `{command}` (took {took / 60:.1f} min)",
    ]
    for database, rows in runs.items():
        out += ["", f"## {database}", "", *tables(rows)]
        out += notes([row[s] for row in rows for s in SERVERS if s in row])
    return "\n".join(out) + "\n"


def progress(run: Run) -> str:
    """One line per run on stdout, with what the tables leave out."""
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

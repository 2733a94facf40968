"""Run the load benchmark: Dibs and its two floors, one after the other, at fixed open-loop rates; write results.md.

    .venv/bin/python -m bench.run --databases sqlite,postgresql --rates 50,100,200 --seconds 15

For each database and rate it runs the framework floor (bench/floor.py: Bolt with no-op listeners), the work
floor (bench/workfloor.py: Bolt doing the least a correct Dibs must do) and Dibs, each time with a fresh fake
Slack process, a fresh server process and (for the work floor and Dibs) a fresh database; `--servers` picks
which of them run. What one run does: bench/measure.py. The servers are pinned to core 0, this process and
the fake Slack to the other cores. The report: bench/report.py.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.measure import SERVERS, measure
from bench.report import Row, progress, report

RESULTS = Path(__file__).with_name("results.md")


def pinned() -> tuple[set[int], set[int]]:
    """Core 0 for the server, the others for this process (and the fake Slack); none on one core."""
    cores = sorted(os.sched_getaffinity(0))
    server_cpus, other_cpus = ({cores[0]}, set(cores[1:])) if len(cores) > 1 else (set(), set())
    if other_cpus:
        os.sched_setaffinity(0, other_cpus)
    return server_cpus, other_cpus


def prepare() -> None:
    """On SIGTERM unwind (stop the servers, drop the databases); allow as many sockets as the system lets."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def names(text: str, known: Sequence[str], what: str, parser: argparse.ArgumentParser) -> list[str]:
    """A comma-separated choice, checked and kept in `known`'s order."""
    chosen = {part.strip() for part in text.split(",") if part.strip()}
    if unknown := chosen - set(known):
        parser.error(f"unknown {what} {', '.join(sorted(unknown))} (known: {', '.join(known)})")
    return [name for name in known if name in chosen]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both, comma-separated")
    parser.add_argument("--rates", default="50,100,200", help="events per second, comma-separated")
    parser.add_argument("--servers", default=",".join(SERVERS),
                        help="which to run, comma-separated: floor (framework floor), workfloor, dibs")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load before the measured window")
    parser.add_argument("--grace", type=float, default=10, help="seconds to wait for thread replies after the load")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of every server")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the markdown report")
    parser.add_argument("--workspaces", choices=("one", "many"), default="one",
                        help="Dibs with SLACK_BOT_TOKEN (one) or installed through the OAuth flow (many)")  # fmt: skip
    args = parser.parse_args(argv)
    databases = names(args.databases, ("sqlite", "postgresql"), "database", parser)
    servers = names(args.servers, SERVERS, "server", parser)
    rates = [float(r) for r in args.rates.split(",")]
    raw = sys.argv[1:] if argv is None else list(argv)
    command = f"{os.path.relpath(sys.executable)} -m bench.run {shlex.join(raw)}".strip()

    prepare()
    cpus = pinned()
    began = time.monotonic()
    runs: dict[str, list[Row]] = {}
    for database in databases:
        for rate in rates:
            row: Row = {}
            for server in servers:
                row[server] = measure(server, database, rate, args, cpus)
                print(progress(row[server]), flush=True)
            runs.setdefault(database, []).append(row)
    args.out.write_text(report(runs, args, command, time.monotonic() - began))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One `dibs serve --http` process against two, on one PostgreSQL. Run by hand; nothing fails on speed.

    .venv/bin/python -m bench.processes --rates 50,100,200 --seconds 8

For each number of processes (1, then 2) and each rate: a fresh fake Slack process, a fresh PostgreSQL
database, the processes started on it with 8 waitress threads each, process i pinned to core i (of the
cores this process may use), and `/dibs watch` for C111. Then bench/load.py's workload at the rate (40 %
keyword posts, 40 % chatter, 20 % claims), open-loop, each request going to the processes in turn as a load
balancer would; only the events due after `--warmup` are measured. Reported per run: ack p99, post→question
p50 / p99, questions missing, errors, and the processes' CPU per event (from the window's start until they
went idle, all processes together); then, per number of processes, the highest rate whose post→question
p99 stayed under 250 ms.

What a 2-core machine can and cannot show. Two processes get a core each, but the load generator, the fake
Slack and PostgreSQL have no core of their own: they run on the same two cores, and at the higher rates they
need most of a core themselves. So here two processes cannot show twice one process's throughput; what the
run does show is the cost of a second process (CPU per event, which includes both processes' schedulers,
couriers and lease work) and whether the work is shared without loss (questions missing: 0). The scale-out
number needs a machine with a core for each process plus cores for PostgreSQL and the load.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.fakeslack_proc import FakeSlackProcess
from bench.load import Request, Result, plan, send_all, send_one, watch_command
from bench.measure import percentile, wait_for_questions, wait_until_idle
from bench.report import ms
from bench.run import prepare
from bench.servers import SECRET, Server, cpu_seconds, fresh_database, server_env

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET = 0.250  # post→question p99, seconds


@dataclass
class Row:
    processes: int
    rate: float
    events: int
    ack_p99: float
    question_p50: float
    question_p99: float
    missing: int
    errors: int
    cpu_per_event: float


def spread(requests: Sequence[Request], ports: Sequence[int], start: float, warmup: float,
           on_mark: Callable[[], None]) -> list[Result]:  # fmt: skip
    """Send request i to ports[i % n] (round-robin), each port's share from its own thread and event loop."""
    n = len(ports)

    def send(k: int) -> list[Result]:
        return send_all("127.0.0.1", ports[k], requests[k::n], start, warmup, on_mark)

    with ThreadPoolExecutor(n) as pool:
        parts = list(pool.map(send, range(n)))
    results: list[Result] = [parts[0][0]] * len(requests)
    for k, part in enumerate(parts):
        results[k::n] = part
    return results


def measure(processes: int, rate: float, args: argparse.Namespace) -> Row:
    cores = sorted(os.sched_getaffinity(0))
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dibs-processes-")))
        fake = FakeSlackProcess()
        stack.callback(fake.stop)
        url = stack.enter_context(fresh_database("postgresql", workdir, args.postgres))
        env = server_env(fake.base_url, url, workdir / "dibs.yml")
        servers = []
        for k in range(processes):  # one after another: the first migrates the fresh database
            server = Server("dibs", env, workdir / f"dibs-{k}.log", {cores[k % len(cores)]})
            stack.callback(server.stop)
            server.wait_healthy()
            servers.append(server)
        port = servers[0].port
        if (status := send_one("127.0.0.1", port, watch_command("127.0.0.1", port, SECRET))) != 200:
            raise RuntimeError(f"/dibs watch answered {status}")
        requests = plan(rate, args.warmup + args.seconds, "127.0.0.1", port, SECRET)
        marks: dict[str, float] = {}

        def window_starts() -> None:  # the processes' CPU when the measured window began (the first sender's mark)
            marks.setdefault("cpu", cpu(servers))

        start = time.monotonic() + 0.2
        results = spread(requests, [s.port for s in servers], start, args.warmup, window_starts)
        measured = [(r, q) for r, q in zip(requests, results, strict=True) if r.due >= args.warmup]
        posts = {r.ts: start + r.due for r, _ in measured if r.kind == "post"}
        found = wait_for_questions(fake, posts, start + requests[-1].due + args.grace)
        questions = [found[ts] - due for ts, due in posts.items() if ts in found]
        deadline = time.monotonic() + 60
        for server in servers:
            wait_until_idle(server.pid, deadline)
        acks = [q.latency for _, q in measured if q.status == 200]
        return Row(processes, rate, len(measured), percentile(acks, 99), percentile(questions, 50),
                   percentile(questions, 99), len(posts) - len(found), sum(q.status != 200 for _, q in measured),
                   (cpu(servers) - marks["cpu"]) / len(measured))  # fmt: skip


def cpu(servers: Sequence[Server]) -> float:
    return sum(cpu_seconds(s.pid) for s in servers)


def report(rows: Sequence[Row]) -> str:
    lines = ["| processes | rate (events/s) | ack p99 (ms) | post→question p50 / p99 (ms) | missing | errors |"
             " CPU/event (ms, all processes) |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        lines.append(f"| {r.processes} | {r.rate:g} | {ms(r.ack_p99)} | {ms(r.question_p50)} / {ms(r.question_p99)} "
                     f"| {r.missing} | {r.errors} | {r.cpu_per_event * 1000:.1f} |")  # fmt: skip
    for n in sorted({r.processes for r in rows}):
        good = [r.rate for r in rows if r.processes == n and r.question_p99 < TARGET and not r.missing]
        best = f"{max(good):g} events/s" if good else "none of the rates tried"
        lines.append(f"\n{n} process(es): post→question p99 < 250 ms up to {best}.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.processes", description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50,100,200", help="events per second, comma-separated")
    parser.add_argument("--processes", default="1,2", help="numbers of processes, comma-separated")
    parser.add_argument("--seconds", type=float, default=8, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load before the measured window")
    parser.add_argument("--grace", type=float, default=10, help="seconds to wait for thread replies after the load")
    parser.add_argument("--postgres", default=ADMIN, help="admin URL")
    args = parser.parse_args(argv)
    prepare()
    began, rows = time.monotonic(), []
    for processes in (int(p) for p in args.processes.split(",")):
        for rate in (float(r) for r in args.rates.split(",")):
            rows.append(measure(processes, rate, args))
            print(rows[-1], flush=True)
    print(report(rows))
    print(f"\n{os.cpu_count()} cores; took {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

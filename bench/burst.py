"""A burst: many events at the same moment, against Dibs and the work floor. Run by hand; nothing fails on speed.

    .venv/bin/python -m bench.burst --databases sqlite,postgresql

For each database, the work floor (bench/workfloor.py) then Dibs, each with a fresh fake Slack, a fresh
database and the server pinned to core 0 (this process and the fake on the other cores), 8 waitress threads:

1. before the burst, `--claims` keyword posts are sent one by one and their questions awaited (the posts the
   burst's claims are on; a claim on a post with no task yet would be a plain reaction);
2. the burst: `--posts` new keyword posts and `--claims` `raising_hand` reactions (one on each earlier post,
   each by its own person), interleaved, each on its own thread and new connection, released by one barrier;
3. afterwards: wait up to `--grace` s for every question, then for the server to go idle; then count, per
   post (the earlier ones and the burst's), the accepted `chat.postMessage` calls into its thread.

Reported per server: the slowest ack, p50 / p99, how many took over 1 s and over 3 s (Slack's limit), errors,
whether every post got exactly one question, the burst's claims' `chat.update` calls, post→question from the
release, and the server's CPU from the release until it went idle. Prints markdown.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass

from bench.load import POSTS, send_one
from bench.measure import NAMES, percentile
from bench.report import ms
from bench.servers import cpu_seconds
from bench.stage import Stage, pin_self, staged
from bench.together import Sent, json_request, send_together
from tests.support.payloads import event_envelope, message_event, reaction_event


@dataclass
class Burst:
    """What one server did with the burst (times in seconds)."""

    server: str
    database: str
    acks: list[float]
    errors: int
    slowest_sent: float  # the longest this process took to get a request out after the release
    exactly_one: int  # posts (earlier + burst) with exactly one question
    missing: int  # posts with none
    extra: int  # posts with more than one
    posts: int
    updates: int  # accepted chat.update calls after the release
    questions: list[float]  # post→question of the burst's posts, from the release
    cpu: float  # server CPU seconds from the release until idle


def post_ts(n: int) -> str:
    return f"1760000000.{n * 100:06d}"


def post_event(n: int, port: int) -> bytes:
    event = message_event(POSTS[n % len(POSTS)], ts=post_ts(n))
    return json_request(port, json.dumps(event_envelope(event, event_id=f"EvBurstPost{n:05d}")))


def claim_event(n: int, port: int) -> bytes:
    event = reaction_event("reaction_added", f"U{2000 + n}", post_ts(n))
    return json_request(port, json.dumps(event_envelope(event, event_id=f"EvBurstClaim{n:05d}")))


def questions_by_post(stage: Stage) -> Counter[str]:
    return Counter(c.thread_ts for c in stage.fake.calls() if c.method == "chat.postMessage" and c.status == 200
                   and c.thread_ts)  # fmt: skip


def wait_questions(stage: Stage, wanted: set[str], deadline: float) -> None:
    while not wanted <= set(questions_by_post(stage)) and time.monotonic() < deadline:
        time.sleep(0.25)


def run(name: str, database: str, args: argparse.Namespace, cpus: tuple[set[int], set[int]]) -> Burst:
    with staged([name], database, cpus, args.threads, args.postgres) as stage:
        server = stage.servers[0]
        earlier = list(range(args.claims))
        fresh = list(range(args.claims, args.claims + args.posts))
        if any(send_one("127.0.0.1", server.port, post_event(n, server.port)) != 200 for n in earlier):
            raise RuntimeError(f"{name} refused a post before the burst")
        wait_questions(stage, {post_ts(n) for n in earlier}, time.monotonic() + 60)
        stage.settle()
        posts, claims = [post_event(n, server.port) for n in fresh], [claim_event(n, server.port) for n in earlier]
        mixed = [data for pair in zip(posts, claims, strict=False) for data in pair]
        mixed += posts[len(claims) :] + claims[len(posts) :]
        cpu_before, released = cpu_seconds(server.pid), time.monotonic()
        results: list[Sent] = send_together([(server.port, data) for data in mixed])
        wait_questions(stage, {post_ts(n) for n in fresh}, released + args.grace)
        stage.settle()
        cpu = cpu_seconds(server.pid) - cpu_before
        time.sleep(1)  # a duplicate would come late: give it a moment more
        calls = stage.fake.calls()
    asked = Counter(c.thread_ts for c in calls if c.method == "chat.postMessage" and c.status == 200)
    first: dict[str, float] = {}
    for call in calls:
        if call.method == "chat.postMessage" and call.status == 200 and call.thread_ts:
            first.setdefault(call.thread_ts, call.at)
    every = [post_ts(n) for n in earlier + fresh]
    return Burst(
        server=name,
        database=database,
        acks=[r.latency for r in results if r.status == 200],
        errors=sum(r.status != 200 for r in results),
        slowest_sent=max(r.sent for r in results),
        exactly_one=sum(asked[ts] == 1 for ts in every),
        missing=sum(asked[ts] == 0 for ts in every),
        extra=sum(asked[ts] > 1 for ts in every),
        posts=len(every),
        updates=sum(c.method == "chat.update" and c.status == 200 and c.at >= released for c in calls),
        questions=[first[post_ts(n)] - released for n in fresh if post_ts(n) in first],
        cpu=cpu,
    )


def row(b: Burst, claims: int, burst_posts: int) -> str:
    over = lambda limit: sum(a > limit for a in b.acks)  # noqa: E731
    exact = "yes" if b.exactly_one == b.posts else f"no: {b.missing} none, {b.extra} more than one"
    cells = [
        NAMES[b.server], ms(max(b.acks, default=float("nan"))),
        f"{ms(percentile(b.acks, 50))} / {ms(percentile(b.acks, 99))}", str(over(1.0)), str(over(3.0)),
        str(b.errors), f"{exact} ({b.exactly_one} of {b.posts})", f"{b.updates} for {claims}",
        f"{ms(percentile(b.questions, 50))} / {ms(percentile(b.questions, 99))} / {ms(max(b.questions, default=0))}"
        f" ({len(b.questions)} of {burst_posts})",
        f"{b.cpu:.2f} s ({b.cpu / (claims + burst_posts) * 1000:.1f} ms/event)", ms(b.slowest_sent),
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--servers", default="workfloor,dibs", help="workfloor, dibs or both")
    parser.add_argument("--posts", type=int, default=100, help="new keyword posts in the burst")
    parser.add_argument("--claims", type=int, default=100, help="claim reactions in the burst (on earlier posts)")
    parser.add_argument("--grace", type=float, default=60, help="seconds after the release to wait for questions")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL")
    args = parser.parse_args()
    cpus = pin_self()
    total = args.posts + args.claims
    print(f"Burst: {args.posts} keyword posts + {args.claims} claim reactions (on posts sent before), {total} requests"
          f" released at once, each on its own connection.\n")  # fmt: skip
    print(
        "| database | server | slowest ack (ms) | ack p50 / p99 (ms) | acks over 1 s | over 3 s | errors"
        " | every post exactly one question | chat.update after the burst | post→question p50 / p99 / max (ms)"
        " | server CPU until idle | slowest send (ms) |"
    )
    print("|---|---|" + "---:|" * 10)
    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        for name in [s.strip() for s in args.servers.split(",") if s.strip()]:
            burst = run(name, database, args, cpus)
            print(f"| {database} {row(burst, args.claims, args.posts)}", flush=True)


if __name__ == "__main__":
    main()

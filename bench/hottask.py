"""A hot task: hundreds of people claim the same task at the same moment, through two Dibs processes sharing one
PostgreSQL database. Run by hand; nothing fails on speed.

    .venv/bin/python -m bench.hottask --via button,command,reaction,mixed

Each round: a fresh PostgreSQL database, one fake Slack, two `dibs serve --http` processes (8 waitress threads
each, both pinned to core 0; this process and the fake on the other core; PostgreSQL unpinned). One keyword
post makes one task (Dibs's default `event` kind: 2 slots); once its question is posted, `--claims` people
(distinct users) claim it at once, request i to process i % 2, each on its own thread and new connection,
released by one barrier. How they claim (`--via`, one round per choice):

- `button`: the question's "I'll take it" (`dibs_claim` block_actions, signed like tests/support/payloads.py);
- `command`: `/dibs claim ID`;
- `reaction`: `raising_hand` on the post;
- `mixed`: the three in turn.

After the last ack the task is watched until its thread reply shows every claim (Dibs records the version the
reply shows: `tasks.thread_version` reaches `tasks.version`; the failed attempts the servers logged are
counted, with their reason). Then, once both processes are idle, the database
is read: the task's owners (should be its slots), its waitlist (should hold every other claimant, each once),
and whether the waitlist's order (Dibs keeps it by claim id) matches the order the acks came back in: the
inversions are the pairs of waitlisted people whose acks arrived in the other order (out of n(n-1)/2 pairs);
those more than 10 ms apart are counted separately, since answers written within a few ms of each other by two
processes can cross on the way back. For `/dibs claim`
the ack itself says "number N on the waitlist": it is checked against the person's place in the database.
Also the CPU both processes used from the release until idle. Prints markdown.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, select

from bench.load import POSTS, send_one
from bench.measure import percentile
from bench.report import ms
from bench.servers import cpu_seconds
from bench.stage import Stage, pin_self, staged
from bench.together import Sent, action_request, form_request, json_request, send_together
from store.db import normalise_url
from store.enums import ClaimRole
from store.models import Claim, Task
from tests.support.payloads import block_action, command_form, event_envelope, message_event, reaction_event

VIAS = ("button", "command", "reaction")
POST_TS = "1770000000.000100"
THREAD_FAILED = re.compile(r"thread reply of task #\d+ failed \((.*)\); trying again")
APART = 0.010  # acks further apart than this in the wrong order are inversions that are not a photo finish


@dataclass
class Outcome:
    via: str
    results: list[Sent]
    slots: int
    owners: list[str]
    offered: list[str]
    waiting: list[str]  # in Dibs's order (claim id)
    users: list[str]  # the claimants, in request order
    told_right: int  # /dibs claim answers whose "number N" is the person's place in the database
    told: int
    slack: Counter[str]
    thread: float  # seconds from the release until the thread reply showed every claim (NaN: not within --grace)
    cpu: float  # CPU seconds both processes used from the release until idle
    thread_failures: list[str]  # why the thread reply's update failed, per failed attempt the servers logged


def claim_request(i: int, via: str, port: int, task_id: int, question_ts: str) -> bytes:
    user = f"U{5000 + i}"
    if via == "button":
        return action_request(port, block_action("dibs_claim", str(task_id), user, question_ts, POST_TS))
    if via == "command":
        return form_request(port, command_form(f"claim {task_id}", user=user))
    event = reaction_event("reaction_added", user, POST_TS)
    return json_request(port, json.dumps(event_envelope(event, event_id=f"EvHot{i:05d}")))


def open_task(stage: Stage) -> tuple[int, int, str]:
    """Post the keyword message; wait for its question; the task's id and slots, and the question's ts."""
    port = stage.servers[0].port
    body = json.dumps(event_envelope(message_event(POSTS[0], ts=POST_TS), event_id="EvHotPost"))
    if send_one("127.0.0.1", port, json_request(port, body)) != 200:
        raise RuntimeError("the post was refused")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        asked = [c for c in stage.fake.calls() if c.method == "chat.postMessage" and c.thread_ts == POST_TS and c.ts]
        if asked and asked[0].ts:
            break
        time.sleep(0.1)
    else:
        raise RuntimeError("no question within 30 s")
    engine = create_engine(normalise_url(stage.url))
    with engine.connect() as connection:
        task = connection.execute(select(Task.id, Task.slots).where(Task.message_ts == POST_TS)).one()
    engine.dispose()
    return task.id, task.slots, asked[0].ts


def thread_caught_up(engine: Engine, task_id: int, after: float, grace: float) -> float:
    """When (monotonic) the task's thread reply showed its latest version, polled from `after` (the last ack);
    NaN if not within `grace` seconds. Dibs records the version the reply shows once Slack took the update."""
    deadline = after + grace
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            shown, latest = connection.execute(
                select(Task.thread_version, Task.version).where(Task.id == task_id)
            ).one()
        if shown >= latest:
            return time.monotonic()
        time.sleep(0.1)
    return math.nan


def run(via: str, args: argparse.Namespace, cpus: tuple[set[int], set[int]]) -> Outcome:
    kinds = VIAS if via == "mixed" else (via,)
    with staged(["dibs", "dibs"], "postgresql", cpus, args.threads, args.postgres) as stage:
        task_id, slots, question_ts = open_task(stage)
        stage.settle()
        ports = [server.port for server in stage.servers]
        requests = [
            (ports[i % 2], claim_request(i, kinds[i % len(kinds)], ports[i % 2], task_id, question_ts))
            for i in range(args.claims)
        ]
        cpu_before, released = sum(cpu_seconds(server.pid) for server in stage.servers), time.monotonic()
        results = send_together(requests)
        engine = create_engine(normalise_url(stage.url))
        thread = thread_caught_up(engine, task_id, max(r.done for r in results), args.grace) - released
        stage.settle(timeout=120)
        cpu = sum(cpu_seconds(server.pid) for server in stage.servers) - cpu_before
        failures = [
            f for server in stage.servers for f in THREAD_FAILED.findall(server.log.read_text(errors="replace"))
        ]
        with engine.connect() as connection:
            claims = connection.execute(
                select(Claim.user_id, Claim.role).where(Claim.task_id == task_id).order_by(Claim.id)
            ).all()
        engine.dispose()
        slack = Counter(c.method for c in stage.fake.calls() if c.status == 200)
    users = [f"U{5000 + i}" for i in range(args.claims)]
    waiting = [c.user_id for c in claims if c.role == ClaimRole.WAITING]
    told = right = 0  # of the waitlisted people who claimed with /dibs claim (an owner is told no number)
    for i, result in enumerate(results):
        if kinds[i % len(kinds)] == "command" and users[i] in waiting:
            said = re.search(rb"number (\d+) on the waitlist", result.body)
            told += 1
            right += bool(said and int(said.group(1)) == waiting.index(users[i]) + 1)
    return Outcome(
        via=via, results=results, slots=slots, users=users, waiting=waiting, told_right=right, told=told,
        slack=slack, thread=thread, cpu=cpu, thread_failures=failures,
        owners=[c.user_id for c in claims if c.role == ClaimRole.OWNER],
        offered=[c.user_id for c in claims if c.role == ClaimRole.OFFERED],
    )  # fmt: skip


def inversions(order: list[str], done: dict[str, float], apart: float = 0.0) -> int:
    """Pairs (a before b in `order`) whose acks came back b first, by more than `apart` seconds."""
    times = [done[user] for user in order]
    return sum(times[i] - times[j] > apart for i in range(len(times)) for j in range(i + 1, len(times)))


def row(o: Outcome) -> str:
    acks = [r.latency for r in o.results if r.status == 200]
    done = {user: r.done for user, r in zip(o.users, o.results, strict=True)}
    by_ack = sorted(o.users, key=done.__getitem__)
    expected = len(o.users) - o.slots
    whole = set(o.owners) | set(o.offered) | set(o.waiting) == set(o.users)
    distinct = len(set(o.waiting)) == len(o.waiting) == expected
    pairs = len(o.waiting) * (len(o.waiting) - 1) // 2
    cells = [
        o.via, f"{ms(percentile(acks, 50))} / {ms(percentile(acks, 99))} / {ms(max(acks, default=float('nan')))}",
        str(sum(a > 1 for a in acks)), str(sum(a > 3 for a in acks)), str(sum(r.status != 200 for r in o.results)),
        f"{len(o.owners)} (slots {o.slots})" + (f", {len(o.offered)} offered" if o.offered else ""),
        f"{len(o.waiting)}, {'all distinct' if distinct else 'NOT distinct'}, expected {expected}"
        + ("" if whole else "; some claimants missing"),
        f"{inversions(o.waiting, done)} of {pairs}; {inversions(o.waiting, done, APART)} over {APART * 1000:.0f} ms",
        ", ".join(f"#{by_ack.index(u) + 1}" for u in o.owners),
        f"{o.told_right} of {o.told}" if o.told else "–",
        f"{o.thread:.1f} s" if not math.isnan(o.thread) else "not within --grace",
        f"{len(o.thread_failures)}" + (f" ({Counter(o.thread_failures).most_common(1)[0][0]})" if o.thread_failures
                                       else ""),
        f"{o.slack['chat.update']} / {o.slack['chat.postEphemeral']}", f"{o.cpu:.1f} s",
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hottask", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--via", default="button", help="button, command, reaction, mixed; comma-separated: a round each"
    )
    parser.add_argument("--claims", type=int, default=500, help="people claiming the task at once")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of each process")
    parser.add_argument("--grace", type=float, default=30, help="seconds after the last ack to wait for the thread")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL")
    args = parser.parse_args()
    vias = [v.strip() for v in args.via.split(",") if v.strip()]
    if unknown := set(vias) - {*VIAS, "mixed"}:
        parser.error(f"unknown --via {', '.join(sorted(unknown))}")
    cpus = pin_self()
    print(f"Hot task: {args.claims} claims of one task at once, across two `dibs serve --http` processes on one"
          " PostgreSQL database.\n")  # fmt: skip
    print("| via | ack p50 / p99 / max (ms) | acks over 1 s | over 3 s | errors | owners | waitlist"
          " | waitlist order vs ack order: inversions | owners' acks came back | `/dibs claim` told the right place"
          " | thread reply up to date after | its failed updates logged | Slack chat.update / chat.postEphemeral"
          " | CPU of both processes |")  # fmt: skip
    print("|---|" + "---:|" * 13)
    for via in vias:
        print(row(run(via, args, cpus)), flush=True)


if __name__ == "__main__":
    main()

"""How the schedule scales: a tick's cost with 1,000 and with 100,000 open tasks, the digest of a
channel with 10,000 open tasks, and the query plans behind them. Run by hand; nothing fails on speed.

    .venv/bin/python -m bench.schedule --databases sqlite,postgresql

A tick here is the planning half of `Dibs.tick(now)` repeated until nothing is due (reminders, due
dates, offers that ran out, rosters, quiet claims, digests into the outbox), plus the courier's look
for work; Slack is not called. Each database is filled with Core bulk inserts, then `ANALYZE`d.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, create_engine, insert, text

from bot.clock import SystemClock
from bot.delivery.courier import Courier
from bot.digest.collect import collect_digest
from bot.digest.plan import plan_digests
from bot.editor.list_view import build_digest
from bot.reminders.planning import plan_due_dates, plan_nags
from bot.reminders.stale import plan_stale_claims
from bot.services import Services
from bot.settings import NagSettings, Settings, parse_working_hours
from bot.staffing.offers import expire_offers
from bot.staffing.seating import post_rosters
from store.db import make_engine, make_reader_factory, make_session_factory, migrate, normalise_url
from store.enums import TaskStatus
from store.models import Task, WatchedChannel, utcnow

CHANNELS = 100
SETTINGS = Settings(working_hours=parse_working_hours("always"), nag=NagSettings(coalesce_over=1000))


def fresh(kind: str, admin_url: str) -> tuple[str, Callable[[], None]]:
    """A new empty database URL and a function that drops it."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="dibs-bench-")
        return f"sqlite:///{folder}/bench.db", lambda: None
    name = f"dibs_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


def fill(engine: Engine, total: int, due: int, channel_of: Callable[[int], str]) -> None:
    """`total` open tasks with up-to-date threads, `due` of them with a reminder due now."""
    now = utcnow()
    opened = now - timedelta(days=2)
    rows = [
        {
            "team_id": "T1", "channel_id": channel_of(n), "kind": "event", "title": f"Booth {n}",
            "status": TaskStatus.OPEN.value, "slots": 2, "posted_by": "U1", "source": "message",
            "message_ts": f"1700000000.{n:06d}", "reply_ts": f"1700000001.{n:06d}", "created_at": opened,
            "version": 1, "thread_version": 1, "open_since": opened, "nags_sent": 0,
            "poster_nagged": False, "due_reminders_sent": 0, "thread_attempts": 0,
            "next_nag_at": now - timedelta(minutes=1) if n < due else now + timedelta(days=3),
        }
        for n in range(total)
    ]  # fmt: skip
    with engine.begin() as connection:
        for start in range(0, total, 5000):
            connection.execute(insert(Task), rows[start : start + 5000])
        channels = sorted({channel_of(n) for n in range(total)})
        connection.execute(
            insert(WatchedChannel),
            [{"team_id": "T1", "channel_id": c, "added_by": "U1", "added_at": now, "muted": False} for c in channels],
        )
        connection.execute(text("ANALYZE"))


def services(engine: Engine) -> Services:
    """Services on `engine` with always-on working hours."""
    return Services(make_session_factory(engine), SETTINGS, SystemClock(), make_reader_factory(engine))


def timed(work: Callable[[], object], repeat: int = 1) -> float:
    """The median wall time of `work` in ms."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def tick_all(svc: Services) -> None:
    """Plan everything due now (ticks until a tick plans nothing), then look for the courier's work."""
    now = utcnow()
    while plan_nags(svc, now):
        pass
    plan_due_dates(svc, now)
    expire_offers(svc, now)
    post_rosters(svc, now)
    plan_stale_claims(svc, now)
    plan_digests(svc, now, due=False)
    Courier(svc, lambda team: None).due(now)  # type: ignore[arg-type,return-value]


def tick_case(kind: str, admin: str, total: int, due: int) -> float:
    """The time of one full tick with `total` open tasks of which `due` are due."""
    url, drop = fresh(kind, admin)
    engine = make_engine(url)
    try:
        migrate(engine)
        fill(engine, total, due, lambda n: f"C{n % CHANNELS:04d}")
        svc = services(engine)
        return timed(lambda: tick_all(svc))
    finally:
        engine.dispose()
        drop()


def digest_case(kind: str, admin: str, total: int) -> tuple[float, int, int]:
    """(ms to build one channel's digest, its blocks, its longest text) with `total` open tasks there."""
    url, drop = fresh(kind, admin)
    engine = make_engine(url)
    try:
        migrate(engine)
        fill(engine, total, 0, lambda n: "C0001")
        svc = services(engine)
        now = utcnow()

        def build() -> object:
            with svc.read() as session:
                data = collect_digest(session, SETTINGS, "T1", "C0001", now, now - timedelta(days=1), take_held=False)
            return build_digest(data, now)

        message = build()
        assert message is not None
        texts = [b.to_dict().get("text", {}).get("text", "") for b in message.blocks]  # type: ignore[attr-defined]
        return timed(build, repeat=5), len(message.blocks), max(len(t) for t in texts)  # type: ignore[attr-defined]
    finally:
        engine.dispose()
        drop()


PLANNED = {
    "reminders due": "SELECT * FROM tasks WHERE next_nag_at <= :now AND status IN ('open','claimed') "
    "ORDER BY next_nag_at, id LIMIT 500",
    "offers run out": "SELECT * FROM tasks WHERE id IN (SELECT task_id FROM claims WHERE role = 'offered' "
    "AND offered_until <= :now) AND status IN ('open','claimed') ORDER BY id LIMIT 200",
    "rosters due": "SELECT * FROM tasks WHERE roster_at <= :now AND status IN ('open','claimed') "
    "ORDER BY roster_at, id LIMIT 200",
    "quiet claims": "SELECT * FROM tasks WHERE stale_nudge_at <= :now ORDER BY stale_nudge_at, id LIMIT 200",
    "due dates": "SELECT * FROM tasks WHERE next_due_at <= :now AND status IN ('open','claimed') "
    "ORDER BY next_due_at, id LIMIT 500",
    "threads behind": "SELECT id FROM tasks WHERE thread_version < version AND message_ts IS NOT NULL "
    "AND (thread_lease_until IS NULL OR thread_lease_until < :now) ORDER BY id LIMIT 200",
    "outbox due": "SELECT id FROM outbox WHERE state = 'pending' AND send_after <= :now "
    "AND (lease_until IS NULL OR lease_until < :now) ORDER BY send_after, id LIMIT 200",
    "a channel's open tasks": "SELECT * FROM tasks WHERE team_id = 'T1' AND channel_id = 'C0001' AND status = 'open' "
    "ORDER BY created_at, id LIMIT 100",
}


def plans(kind: str, admin: str) -> dict[str, str]:
    """The query plan of each scheduled query, on 100,000 tasks."""
    url, drop = fresh(kind, admin)
    engine = make_engine(url)
    try:
        migrate(engine)
        fill(engine, 100_000, 1000, lambda n: f"C{n % CHANNELS:04d}")
        found = {}
        prefix = "EXPLAIN QUERY PLAN " if kind == "sqlite" else "EXPLAIN "
        with engine.connect() as connection:
            for name, sql in PLANNED.items():
                rows = connection.execute(text(prefix + sql), {"now": utcnow()}).all()
                found[name] = "; ".join(str(row[-1]) for row in rows)
        return found
    finally:
        engine.dispose()
        drop()


def main() -> None:
    """Measure, print markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print("| database | 1,000 open, 10 due | 100,000 open, 10 due | 1,000 open, 1,000 due | 100,000 open, 1,000 due "
          "| ratio 100k / 1k | digest of 10,000 open (ms, blocks, longest section) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---|")
    plan_lines = []
    for kind in args.databases.split(","):
        few = [tick_case(kind, args.postgres, total, 10) for total in (1000, 100_000)]
        many = [tick_case(kind, args.postgres, total, 1000) for total in (1000, 100_000)]
        ms, blocks, longest = digest_case(kind, args.postgres, 10_000)
        ratios = f"{few[1] / few[0]:.2f}× (10 due), {many[1] / many[0]:.2f}× (1,000 due)"
        print(f"| {kind} | {few[0]:.0f} ms | {few[1]:.0f} ms | {many[0]:.0f} ms | {many[1]:.0f} ms | {ratios} "
              f"| {ms:.0f} ms, {blocks} blocks, {longest} chars |")  # fmt: skip
        plan_lines += [f"- {kind}, {name}: `{plan}`" for name, plan in plans(kind, args.postgres).items()]
    print("\nQuery plans on 100,000 tasks:\n")
    print("\n".join(plan_lines))


if __name__ == "__main__":
    main()

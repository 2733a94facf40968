"""What the numbers cost: `/dibs stats` over 90 days, the Monday digest's week and 8-week series, the
Home tab of someone with 300 tasks, the chart, and an export, on 10,000 tasks with their audit trail.
Each is reported next to the daily digest of the same channel (a baseline measured in the same run).
Run by hand; nothing fails on speed.

    .venv/bin/python -m bench.insight --databases sqlite,postgresql
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta

from sqlalchemy import Engine, insert, text

from bench.schedule import SETTINGS, fresh, services, timed
from bot.digest.collect import collect_digest
from bot.editor.home_data import collect_home
from bot.editor.home_view import build_home
from bot.editor.insight_view import build_stats
from bot.editor.list_view import build_digest
from bot.insight.chart import render_chart
from bot.insight.export import as_csv, export_records
from bot.insight.stats import compute_stats, weekly_series
from store.db import make_engine, migrate
from store.enums import ClaimRole, TaskStatus
from store.models import Claim, Task, TaskEvent, WatchedChannel, utcnow

TASKS = 10_000
CHANNELS = 10
PEOPLE = 40


def fill(engine: Engine) -> None:
    """10,000 tasks over 90 days in 10 channels: most claimed (after 0-6 reminders) and done, some left."""
    rng = random.Random(7)
    now = utcnow()
    tasks, claims, events = [], [], []
    for n in range(1, TASKS + 1):
        created = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
        channel = f"C{n % CHANNELS:04d}"
        owner = "U0001" if n % 33 == 0 else f"U{rng.randrange(PEOPLE):04d}"
        claimed = created + timedelta(minutes=rng.randrange(5, 3 * 24 * 60)) if rng.random() < 0.85 else None
        done = claimed + timedelta(hours=rng.randrange(1, 96)) if claimed and rng.random() < 0.7 else None
        claimed = claimed if claimed is None or claimed < now else None
        done = done if done is None or done < now else None
        status = TaskStatus.DONE if done else TaskStatus.CLAIMED if claimed else TaskStatus.OPEN
        due = (created + timedelta(days=rng.randrange(1, 20))).date() if rng.random() < 0.3 else None
        tasks.append({
            "id": n, "team_id": "T1", "channel_id": channel, "kind": rng.choice(["event", "blog_comment"]),
            "title": f"Follow-up {n}", "status": status.value, "slots": 1, "posted_by": "UPOST", "source": "message",
            "message_ts": f"1700000000.{n:06d}", "created_at": created, "claimed_at": claimed, "done_at": done,
            "done_by": owner if done else None, "due_on": due, "version": 1, "thread_version": 1, "nags_sent": 0,
            "poster_nagged": False, "due_reminders_sent": 0, "thread_attempts": 0, "private": False,
        })  # fmt: skip
        events.append({"task_id": n, "team_id": "T1", "at": created, "actor": "UPOST", "action": "created",
                       "via": "message"})  # fmt: skip
        if claimed:
            claims.append({"task_id": n, "user_id": owner, "role": ClaimRole.OWNER.value, "created_at": claimed})
            for r in range(rng.randrange(7)):
                at = created + (claimed - created) * (r + 1) / 8
                events.append({"task_id": n, "team_id": "T1", "at": at, "actor": "schedule", "action": "reminded",
                               "via": "schedule"})  # fmt: skip
            events.append({"task_id": n, "team_id": "T1", "at": claimed, "actor": owner, "action": "claimed",
                           "via": "reaction"})  # fmt: skip
        if done:
            events.append({"task_id": n, "team_id": "T1", "at": done, "actor": owner, "action": "done",
                           "via": "button"})  # fmt: skip
    with engine.begin() as connection:
        for table, rows in ((Task, tasks), (Claim, claims), (TaskEvent, events)):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[start : start + 5000])
        connection.execute(
            insert(WatchedChannel),
            [{"team_id": "T1", "channel_id": f"C{c:04d}", "added_by": "U1", "added_at": now, "muted": False}
             for c in range(CHANNELS)],
        )  # fmt: skip
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval('tasks_id_seq', 10001)"))
        connection.execute(text("ANALYZE"))


def case(kind: str, admin: str) -> dict[str, str]:
    url, drop = fresh(kind, admin)
    engine = make_engine(url)
    try:
        migrate(engine)
        fill(engine)
        svc = services(engine)
        now = utcnow()
        results: dict[str, float] = {}

        def read(fn):  # type: ignore[no-untyped-def]
            def run() -> object:
                with svc.read() as session:
                    return fn(session)

            return run

        results["digest"] = timed(
            read(lambda s: build_digest(collect_digest(s, SETTINGS, "T1", "C0001", now, now - timedelta(days=1),
                                                       take_held=False), now)), repeat=5)  # fmt: skip
        results["stats 90d, one channel"] = timed(
            read(lambda s: build_stats(compute_stats(s, SETTINGS, "T1", "C0001", now - timedelta(days=90), now), 90)),
            repeat=5,
        )
        results["stats 90d, all channels"] = timed(
            read(lambda s: compute_stats(s, SETTINGS, "T1", None, now - timedelta(days=90), now, "C0001")), repeat=3
        )
        results["week + week before + 8-week series"] = timed(
            read(lambda s: (compute_stats(s, SETTINGS, "T1", "C0001", now - timedelta(days=7), now),
                            compute_stats(s, SETTINGS, "T1", "C0001", now - timedelta(days=14), now),
                            weekly_series(s, SETTINGS, "T1", "C0001", now))), repeat=3)  # fmt: skip
        results["Home of someone with ~300 tasks"] = timed(
            read(lambda s: build_home(collect_home(s, SETTINGS, "T1", "U0001", None, now))), repeat=5
        )
        with svc.read() as session:
            series = weekly_series(session, SETTINGS, "T1", "C0001", now)
        results["chart, first (imports matplotlib)"] = timed(lambda: render_chart(series, "bench"))
        results["chart, again"] = timed(lambda: render_chart(series, "bench"), repeat=5)
        csv_text = ""

        def export() -> None:
            nonlocal csv_text
            with svc.read() as session:
                csv_text = as_csv(export_records(session, None, None))

        results["export of 10,000 tasks as CSV"] = timed(export)
        base = results["digest"]
        shown = {name: f"{ms:.0f} ms ({ms / base:.1f}× the digest)" for name, ms in results.items()}
        shown["digest"] = f"{base:.0f} ms (the baseline)"
        shown["export size"] = f"{len(csv_text) / 1e6:.1f} MB"
        return shown
    finally:
        engine.dispose()
        drop()


def main() -> None:
    """Measure, print markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    kinds = args.databases.split(",")
    found = {kind: case(kind, args.postgres) for kind in kinds}
    print("| on 10,000 tasks, 90 days | " + " | ".join(kinds) + " |")
    print("|---|" + "---:|" * len(kinds))
    for name in found[kinds[0]]:
        print(f"| {name} | " + " | ".join(found[k][name] for k in kinds) + " |")


if __name__ == "__main__":
    main()

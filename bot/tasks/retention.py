"""Retention: done and cancelled tasks closed longer ago than `retention.closed_after` (default 400d; off keeps
everything) are forgotten, with every row that refers to them (claims, audit trail, outbox rows, undos, swaps,
claim requests, tracked phrases, a gift campaign's recipients). An external key (a feed item's GUID, a
webhook's external_id) stays, without its task, so the item never becomes a task again.

The closing moment is `done_at`, or the audit trail's `cancelled`. The setting is the file's: a workspace
cannot change it. The scheduler's tick calls `forget_closed_when_due`: batches of `BATCH` tasks, each in a
transaction of its own, at most `ROUNDS` a tick; rows another process holds are skipped (FOR UPDATE SKIP
LOCKED on PostgreSQL), so two processes never take the same task. A pass that leaves nothing waiting makes
the next one wait `RECHECK`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from store.queries.retention import forget_tasks, lock_closed_before

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
BATCH = 200  # tasks per transaction
ROUNDS = 3  # transactions per tick
RECHECK = timedelta(hours=1)


def horizon(now: datetime, closed_after: timedelta | None) -> datetime | None:
    """Tasks closed before this moment are no longer kept (None: every task is kept)."""
    return None if closed_after is None else now - closed_after


def forget_closed(svc: Services, now: datetime, batch: int = BATCH, rounds: int = ROUNDS) -> int:
    """Forget up to `rounds` batches of `batch` tasks closed before the horizon at `now`; how many went."""
    before = horizon(now, svc.settings.retention.closed_after)
    if before is None:
        return 0
    forgotten = 0
    for _ in range(rounds):
        with svc.transaction(now=now) as tx:
            task_ids = lock_closed_before(tx.session, before, batch)
            gone = forget_tasks(tx.session, task_ids)
        if task_ids:
            rows = ", ".join(f"{table} {count}" for table, count in sorted(gone.items()))
            log.info("retention: forgot %d tasks closed before %s (%s)", len(task_ids), f"{before:%Y-%m-%d}", rows)
        forgotten += len(task_ids)
        if len(task_ids) < batch:
            break
    return forgotten


def forget_closed_when_due(svc: Services, now: datetime) -> int:
    """The tick's pass: `forget_closed`, again at the next tick while full batches went, else `RECHECK` later."""
    due = svc.next_pass.get("retention")
    if due is not None and now < due <= now + RECHECK:  # (a clock set back runs it at once)
        return 0
    forgotten = forget_closed(svc, now)
    svc.next_pass["retention"] = now if forgotten >= BATCH * ROUNDS else now + RECHECK
    return forgotten

"""The task services as tests call them: each in a transaction of its own (writes) or a read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.clock import SystemClock
from bot.services import Services
from bot.settings import Settings
from bot.staffing import claims
from bot.tasks import service
from store.db import make_engine, make_session_factory, migrate
from store.queries.tasks import task_id_by_ts


@contextmanager
def services_on(database_url: str, settings: Settings) -> Iterator[Services]:
    """Services on a migrated database, on the real clock (freezegun moves it), without Slack."""
    engine = make_engine(database_url)
    migrate(engine)
    try:
        yield Services(make_session_factory(engine), settings, SystemClock())
    finally:
        engine.dispose()


def in_transaction(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn(tx, …)` as `fn(svc, …)`: one write transaction per call."""

    def run(svc: Services, *args: Any, **kwargs: Any) -> Any:
        with svc.transaction() as tx:
            return fn(tx, *args, **kwargs)

    return run


def reading(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn(session, …)` as `fn(svc, …)`: one read per call."""

    def run(svc: Services, *args: Any, **kwargs: Any) -> Any:
        with svc.read() as session:
            return fn(session, *args, **kwargs)

    return run


create_task = in_transaction(service.create_task)
claim_task = in_transaction(claims.claim_task)
release_claim = in_transaction(claims.release_claim)
complete_task = in_transaction(service.complete_task)
assign_task = in_transaction(claims.assign_task)
snooze_task = in_transaction(service.snooze_task)
set_due_date = in_transaction(service.set_due_date)
get_task = reading(service.get_task)
list_tasks = reading(service.list_tasks)
find_task_id_by_ts = reading(task_id_by_ts)

"""Dibs's metrics, in Prometheus's text format at GET /metrics (`render`).

Counters and histograms live in this process (with PROMETHEUS_MULTIPROC_DIR set, in files that directory holds, so
one scrape sees every process of a host); the outbox's gauges are read from the database at scrape time, so every
process answers alike. No label names a user, a channel, a task or a message, nor carries text: the labels are
event types, surfaces, kinds (the settings' keys), Web API methods and outcomes.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.logs import log_context
from store.enums import PostState
from store.models import OutboxPost, TaskEvent

log = logging.getLogger(__name__)
MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"
WORD = re.compile(r"[a-z][a-z0-9_.]{0,39}")  # a label value that is a name (an event type, a kind), not an id
METHOD = re.compile(r"[a-z]+(?:\.[a-z][A-Za-z0-9_]{0,39}){1,3}")  # a Web API method, like chat.postMessage

EVENTS = Counter("dibs_events", "Requests from Slack, by type (an event's type, or the payload's)", ["type"])
ACK = Histogram(
    "dibs_ack_seconds", "How long Dibs took to answer Slack's request, by surface", ["surface"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)  # fmt: skip
TASKS = Counter("dibs_tasks_created", "Tasks created, by kind", ["kind"])
CLAIMS = Counter("dibs_claims", "Claims (owners taking a task or a seat), by how", ["via"])
REMINDERS = Counter("dibs_reminders_sent", "Reminders queued: unclaimed tasks, quiet claims", ["reason"])
DIGESTS = Counter("dibs_digests_posted", "Morning digests queued")
SLACK_CALLS = Counter(
    "dibs_slack_calls", "Web API calls the courier made, by method and outcome", ["method", "outcome"]
)
SLACK_SECONDS = Histogram(
    "dibs_slack_call_seconds", "How long a Web API call took, by method", ["method"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)  # fmt: skip
FEED_POLLS = Counter("dibs_feed_polls", "Feed polls, by outcome (ok, not_modified, error)", ["outcome"])
SURFACES = {
    "event_callback": "event", "block_actions": "action", "interactive_message": "action",
    "view_submission": "view", "view_closed": "view", "shortcut": "shortcut", "message_action": "shortcut",
    "block_suggestion": "options", "url_verification": "event",
}  # fmt: skip
REMINDED = {"reminded": "unclaimed", "nudged": "stale"}


def word(value: object, default: str = "other") -> str:
    """`value` if it reads as a name (lower case, short); otherwise `default` (ids and text never become labels)."""
    text = str(value or "")
    return text if WORD.fullmatch(text) else default


def request_type(body: Mapping[str, Any]) -> tuple[str, str]:
    """A Slack request's type (an event's own type) and its surface (event, command, action, view…)."""
    if "command" in body and "type" not in body:
        return "slash_command", "command"
    kind = str(body.get("type") or "")
    surface = SURFACES.get(kind, "other")
    if kind == "event_callback":
        inner = body.get("event")
        kind = str(inner.get("type") or "") if isinstance(inner, Mapping) else ""
    return word(kind), surface


def _ids(body: Mapping[str, Any]) -> dict[str, object]:
    team = body.get("team_id") or body.get("team")
    if isinstance(team, Mapping):
        team = team.get("id")
    return {"team_id": team if isinstance(team, str) else None, "event_id": body.get("event_id"),
            "trigger_id": body.get("trigger_id")}  # fmt: skip


@contextmanager
def observed(body: Mapping[str, Any]) -> Iterator[None]:
    """One of Slack's requests handled: counted by type, its answer timed by surface, its ids on the log lines."""
    kind, surface = request_type(body)
    EVENTS.labels(kind).inc()
    started = time.perf_counter()
    try:
        with log_context(**_ids(body)):
            yield
    finally:
        ACK.labels(surface).observe(time.perf_counter() - started)


def slack_call(method: str, outcome: str, seconds: float | None) -> None:
    """One Web API call's end: ok, rate_limited, error (tried again) or gave_up."""
    method = method if METHOD.fullmatch(method) else "other"
    SLACK_CALLS.labels(method, outcome).inc()
    if seconds is not None:
        SLACK_SECONDS.labels(method).observe(seconds)


# ---------------------------------------------------------------------------------------------- the audit trail
# Tasks created, claims and reminders are counted from the audit rows a transaction commits (`TaskEvent`): what
# was rolled back is not counted, and no domain function needs to know about metrics.
_SEEN = "dibs_metrics_events"


def _flushed(session: Session, _context: Any) -> None:
    found = [row for row in session.new if isinstance(row, TaskEvent)]
    if found:
        session.info.setdefault(_SEEN, []).extend((row.action, row.via, row.detail) for row in found)


def _committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction may still roll back
        return
    for action, via, detail in session.info.pop(_SEEN, ()):
        if action == "created":
            TASKS.labels(word(detail)).inc()
        elif action == "claimed":
            CLAIMS.labels(word(str(via))).inc()
        elif action in REMINDED:
            REMINDERS.labels(REMINDED[action]).inc()


def _rolled_back(session: Session, previous: Any) -> None:
    if previous.parent is None:  # the whole transaction (a savepoint's rollback keeps what was flushed before it)
        session.info.pop(_SEEN, None)


def count_audit_trail() -> None:
    """Count what every session of this process commits to the audit trail (once per process)."""
    if not event.contains(Session, "after_flush", _flushed):
        event.listen(Session, "after_flush", _flushed)
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_soft_rollback", _rolled_back)


# ---------------------------------------------------------------------------------------------- the outbox
class OutboxCollector(Collector):
    """The outbox's pending rows and the age of the oldest, read from the database at each scrape (a count
    over the state index: cheap)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> Iterator[Metric]:
        """The names, without asking the database (registering reads nothing)."""
        yield GaugeMetricFamily("dibs_outbox_pending", "Outbox rows waiting to be sent")
        yield GaugeMetricFamily("dibs_outbox_oldest_pending_seconds", "Age of the oldest outbox row waiting")

    def collect(self) -> Iterator[Metric]:
        query = select(func.count(), func.min(OutboxPost.created_at)).where(OutboxPost.state == PostState.PENDING)
        try:
            with self.engine.connect() as connection:
                count, oldest = connection.execute(query).one()
        except SQLAlchemyError as error:
            log.warning("metrics: cannot read the outbox (%s)", type(error).__name__)
            return
        if isinstance(oldest, str):  # SQLite hands back text
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        age = 0.0 if oldest is None else max((datetime.now(UTC) - oldest).total_seconds(), 0.0)
        yield GaugeMetricFamily("dibs_outbox_pending", "Outbox rows waiting to be sent", value=int(count or 0))
        yield GaugeMetricFamily(
            "dibs_outbox_oldest_pending_seconds", "Age of the oldest outbox row waiting to be sent (0: none)", value=age
        )


_outbox: list[OutboxCollector] = []


def watch_outbox(engine: Engine) -> None:
    """Report this engine's outbox at /metrics (instead of any engine reported before)."""
    for old in _outbox:
        REGISTRY.unregister(old)
    _outbox.clear()
    collector = OutboxCollector(engine)
    REGISTRY.register(collector)
    _outbox.append(collector)


def render() -> tuple[bytes, str]:
    """The metrics page and its content type: this process's (or, with PROMETHEUS_MULTIPROC_DIR, every process's
    of the directory) and the outbox's."""
    if not os.environ.get(MULTIPROC):
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    for collector in _outbox:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST

"""Work for the courier, and the doorbell a commit rings to hand it over in memory.

A transaction notes each outbox row it makes on its session; after the commit `Services.transaction`
hands them to the courier directly, so the courier need not look for them in the database. While this
process's courier runs, the transaction leases the rows to it as it writes them (`offer_lease`) and hands
over each call ready to make, so the courier neither leases nor reads them again. It still sweeps the
database every second for work other processes queued, retries whose time has come, and what a crash
left behind.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

NOTED = "dibs_jobs"
LEASED = "dibs_lease"


@dataclass(frozen=True)
class Call:
    """One Web API call of an outbox row (`meta`: what the call's hooks need, never sent to Slack)."""

    id: int
    team_id: str
    channel_id: str
    method: str
    kwargs: dict[str, Any]
    purpose: str = ""
    recipient: str | None = None
    task_id: int | None = None
    orphaned: bool = False  # the last holder of the row died mid-call: Slack may have it already
    meta: dict[str, Any] = field(default_factory=dict)
    made: dict[str, Any] | None = None  # Slack's answer, when preparing made the call itself (a file read)
    hint: Any = None  # what the transaction that queued it knew (a task as it was): drawn without a read


def call_of(
    post_id: int, team_id: str, channel_id: str, method: str, text: str, *, purpose: str = "",
    thread_ts: str | None = None, blocks: str | None = None, args: str | None = None, recipient: str | None = None,
    task_id: int | None = None, orphaned: bool = False, hint: Any = None,
) -> Call:  # fmt: skip
    """The call an outbox row stands for (its arguments stored as JSON)."""
    kwargs: dict[str, Any] = json.loads(args) if args else {}
    if method in ("chat.postMessage", "chat.postEphemeral"):
        kwargs.update(channel=channel_id, text=text)
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        if blocks:
            kwargs["blocks"] = json.loads(blocks)
        if method == "chat.postMessage":
            kwargs.setdefault("unfurl_links", False)
    return Call(post_id, team_id, channel_id, method, kwargs, purpose, recipient, task_id, orphaned, hint=hint)


@dataclass(frozen=True)
class Job:
    """One outbox row to send, and the conversation it goes to; `call` when it was leased to this process as it
    was written (the call ready to make)."""

    id: int
    team_id: str
    key: str  # the channel (or user, for DMs and views) the call goes to
    call: Call | None = None


def offer_lease(session: Session, owner: str, until: datetime) -> None:
    """Rows this transaction writes are leased to `owner` (this process's courier) until `until`."""
    session.info[LEASED] = (owner, until)


def lease_of(session: Session, now: datetime, due: datetime) -> tuple[str, datetime] | None:
    """The lease a row written now and due at `due` gets: this process's courier's, if it is due at once."""
    offered: tuple[str, datetime] | None = session.info.get(LEASED)
    return offered if offered is not None and due <= now else None


def note(session: Session, job: Job) -> None:
    """Remember, on this transaction's session, a job it makes."""
    session.info.setdefault(NOTED, {})[job.id] = job


def noted(session: Session) -> list[Job]:
    """The jobs a transaction made (taken off its session)."""
    return list(session.info.pop(NOTED, {}).values())


class Traffic:
    """How many of Slack's requests this process is answering right now: the courier gives way to them, so a
    burst of events is acknowledged first and talked about a moment later."""

    def __init__(self) -> None:
        self._inflight = 0
        self._quiet = threading.Condition()

    def enter(self) -> None:
        """A request came in."""
        with self._quiet:
            self._inflight += 1

    def leave(self) -> None:
        """A request was answered."""
        with self._quiet:
            self._inflight -= 1
            if self._inflight <= 0:
                self._quiet.notify_all()

    def wait_quiet(self, limit: float) -> None:
        """Wait until no request is being answered, at most `limit` seconds."""
        with self._quiet:
            self._quiet.wait_for(lambda: self._inflight <= 0, timeout=limit)


class Doorbell:
    """Rung after a commit: wakes the courier and, while it listens, hands it the commit's jobs."""

    def __init__(self) -> None:
        self.owner: str | None = None  # the courier's name while it runs: new rows are leased to it
        self.lease = timedelta(seconds=10)
        self._event = threading.Event()
        self._jobs: deque[Job] = deque()
        self._lock = threading.Lock()
        self.listening = False  # only a running courier takes jobs; tests deliver from the database

    def ring(self, jobs: list[Job] | None = None) -> None:
        """Wake the courier; with `jobs`, give them to it (an empty ring asks it to look in the database)."""
        with self._lock:
            if self.listening and jobs:
                self._jobs.extend(jobs)
        self._event.set()

    def wait(self, timeout: float) -> bool:
        """Wait for a ring; True if there was one."""
        return self._event.wait(timeout)

    def take(self) -> list[Job] | None:
        """Clear the bell and take the jobs handed over since; None if it rang without any."""
        with self._lock:
            self._event.clear()
            jobs = list(self._jobs)
            self._jobs.clear()
        return jobs or None

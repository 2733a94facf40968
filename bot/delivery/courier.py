"""The courier: makes every Slack call Dibs owes, after the ack, on its own bounded workers.

Two kinds of work wait in the database: thread replies that are behind their task, and outbox
rows. The courier wakes when a transaction rings the doorbell (and every `poll` seconds, for work
other processes queued or that waits for a retry), finds what is due, and hands each
conversation's work to one worker at a time, so calls to a channel keep their order and a 429 on
one channel (its Retry-After honoured) holds up no other. Leases are short and renewed while this
process lives, so work a crashed process held is picked up within seconds; `stop` hands them back.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from slack_sdk import WebClient

from bot.delivery.calls import send_post
from bot.delivery.failures import OnceLog, Result
from bot.ownership.links import Permalinks
from bot.ownership.sync import push_thread
from bot.services import Services
from store.queries import outbox as posts
from store.queries import tasks

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=10)
BATCH = 200
COALESCE = 0.002  # seconds


@dataclass(frozen=True)
class Job:
    """One piece of work: a task's thread reply, or an outbox row, for one conversation."""

    kind: Literal["thread", "post"]
    id: int
    team_id: str
    key: str  # the channel (or user, for DMs and views) the call goes to


def instance_name() -> str:
    """This process, as lease owners are named: host, pid and a random part."""
    return f"{_host()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _host() -> str:
    return socket.gethostname()[:16].replace("-", "_")


def died_here(owner: str) -> bool:
    """Whether `owner` was a process on this machine that no longer runs (its leases are free now)."""
    host, _, rest = owner.partition("-")
    pid = rest.partition("-")[0]
    if host != _host() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Courier:
    """Delivers what transactions queued, in the background (`start`) or right away (`drain`)."""

    def __init__(
        self, svc: Services, client_for: Callable[[str], WebClient], *, workers: int = 4, poll: float = 0.5
    ) -> None:
        self.svc = svc
        self.client_for = client_for
        self.owner = instance_name()
        self.lease = LEASE
        self.poll = poll
        self._workers = workers
        self._busy: set[str] = set()
        self._paused: dict[str, datetime] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._threads: list[threading.Thread] = []
        self._gave_up = OnceLog(log)
        self._links = Permalinks()

    # ------------------------------------------------------------------ finding work
    def due(self, now: datetime) -> list[Job]:
        """What is due at `now` and not held by anyone: thread replies first, then outbox rows."""
        with self.svc.read() as session:
            threads = tasks.due_threads(session, now, BATCH)
            rows = posts.due_posts(session, now, BATCH)
        return [Job("thread", *t) for t in threads] + [Job("post", *r) for r in rows]

    def next_due(self) -> datetime | None:
        """When the next piece of work that is not due yet falls due."""
        with self.svc.read() as session:
            moments = [posts.next_send_after(session), tasks.next_thread_retry(session)]
        return min((m for m in moments if m is not None), default=None)

    def run(self, job: Job, now: datetime) -> Result:
        """Do one job now."""
        client = self.client_for(job.team_id)
        if job.kind == "thread":
            result = push_thread(client, self.svc, job.id, self.owner, now, self.lease, self._links)
        else:
            result = send_post(client, self.svc, job.id, self.owner, now, self.lease)
        if result.outcome == "gave_up" and result.failure is not None:
            self._gave_up.gave_up(job.key, result.what, result.failure)
        return result

    # ------------------------------------------------------------------ in the background
    def start(self) -> None:
        """Start the dispatcher, its workers and the lease keeper; first free the leases of processes
        on this machine that died (a restart after a crash need not wait for them to run out)."""
        self._free_leases_of_the_dead()
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="dibs-courier")
        for name, target in (("dibs-dispatch", self._dispatch_loop), ("dibs-leases", self._keep_leases)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.svc.doorbell.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking work, let calls in flight finish, and hand back every lease still held."""
        self._stop.set()
        self.svc.doorbell.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        try:
            self.hand_back()
        except Exception:  # the database may be what is failing
            log.warning("could not hand back the courier's leases; they run out within %s", self.lease)

    def hand_back(self) -> None:
        """Give up every lease this process holds, so another can take the work at once."""
        with self.svc.transaction(ring=False) as tx:
            released = posts.release_post_leases(tx.session, self.owner)
            released += tasks.release_thread_leases(tx.session, self.owner)
        if released:
            log.info("handed back %s lease(s)", released)

    def _free_leases_of_the_dead(self) -> None:
        with self.svc.transaction(ring=False) as tx:
            owners = posts.lease_owners(tx.session) | tasks.thread_lease_owners(tx.session)
            dead = {owner for owner in owners if died_here(owner)}
            for owner in dead:
                posts.expire_post_leases(tx.session, owner, tx.now)
                tasks.expire_thread_leases(tx.session, owner, tx.now)
        if dead:
            log.info(
                "took over the work of %s process(es) on this machine that stopped without handing it back", len(dead)
            )

    def _dispatch_loop(self) -> None:
        while not self._stop.is_set():
            if self.svc.doorbell.wait(self.poll):
                self._stop.wait(COALESCE)  # let a burst of commits ring once
            self.svc.doorbell.clear()
            if self._stop.is_set():
                return
            try:
                self._dispatch(self.svc.now())
            except Exception:
                log.exception("the courier could not look for work; trying again shortly")
                self._stop.wait(1.0)

    def _dispatch(self, now: datetime) -> None:
        by_key: dict[str, list[Job]] = defaultdict(list)
        for job in self.due(now):
            by_key[job.key].append(job)
        with self._lock:
            ready = [k for k in by_key if k not in self._busy and self._paused.get(k, now) <= now]
            self._busy.update(ready)
        for key in ready:
            assert self._pool is not None
            self._pool.submit(self._work, key, by_key[key])

    def _work(self, key: str, jobs: list[Job]) -> None:
        """One conversation's jobs, in order; a 429 pauses this conversation only."""
        try:
            for job in jobs:
                if self._stop.is_set():
                    return
                result = self.run(job, self.svc.now())
                if result.failure is not None and result.failure.retry_after is not None and result.until:
                    with self._lock:
                        self._paused[key] = result.until
                    return
        except Exception:
            log.exception("the courier failed on %s; its work stays queued", key)
        finally:
            with self._lock:
                self._busy.discard(key)
            self.svc.doorbell.set()  # look again: more may have come for this conversation

    def _keep_leases(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 4):
            now = self.svc.now()
            try:
                with self.svc.transaction(now=now, ring=False) as tx:
                    posts.renew_post_leases(tx.session, self.owner, now, now + self.lease)
                    tasks.renew_thread_leases(tx.session, self.owner, now, now + self.lease)
            except Exception:
                log.warning("could not renew the courier's leases", exc_info=True)

    # ------------------------------------------------------------------ right away
    def drain(self, now: datetime | None = None, linger: timedelta = timedelta(seconds=5)) -> int:
        """Deliver everything due at `now` in this thread, waiting (on the clock) for what falls due
        within `linger`; returns how many calls went out. Time spent here moves `now` on."""
        clock = self.svc.clock
        start = now or clock.now()
        began = clock.now()

        def current() -> datetime:
            return start + (clock.now() - began)

        sent = 0
        while True:
            jobs = self.due(current())
            for job in jobs:
                sent += self.run(job, current()).outcome == "sent"
            if jobs:
                continue
            upcoming = self.next_due()
            if upcoming is None or upcoming > start + linger:
                return sent
            clock.sleep(max((upcoming - current()).total_seconds(), 0.01))

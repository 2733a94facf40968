"""The courier: makes every Slack call Dibs owes, after the ack, on its own bounded workers.

All of it waits in the outbox. A commit hands the courier the rows it made (`bot.delivery.jobs`);
every `poll` seconds the courier also sweeps the database for work other processes queued, retries
whose time has come and what a crash left. Each conversation's jobs go to one worker at a time, so
calls to a channel keep their order and a 429 on one channel (its Retry-After honoured) holds up no other. Leases are
short and renewed while this process lives, so work a crashed process held is picked up within
seconds; `stop` hands them back.

Each workspace's calls carry its own token (`client_for(team_id)`); conversations are keyed by
workspace too, so one workspace's 429s and errors never hold up another's posts.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.clock import Clock
from bot.delivery.calls import Database, Handling, send_post
from bot.delivery.failures import SKIPPED, OnceLog, Result
from bot.delivery.jobs import Doorbell, Job, Traffic
from store.queries import outbox as posts
from store.queries.workspaces import gone_teams

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=10)
GIVE_WAY = 0.25  # seconds a call waits at most for the requests being answered (a burst is acked first)
BATCH = 200
Conversation = tuple[str, str]  # (workspace, channel or user): calls to one are made in order


def conversation(job: Job) -> Conversation:
    """Where a job's call goes: its workspace and its channel (or the user, for DMs and views)."""
    return (job.team_id, job.key)


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
        self,
        db: Database,
        doorbell: Doorbell,
        clock: Clock,
        client_for: Callable[[str], WebClient | None],
        *,
        handling: Handling | None = None,
        traffic: Traffic | None = None,
        on_gone: Callable[[str, str], None] = lambda team_id, why: None,
        evict: Callable[[set[str]], None] = lambda teams: None,
        workers: int = 4,
        poll: float = 1.0,
    ) -> None:
        self.db = db
        self.doorbell = doorbell
        self.clock = clock
        self.client_for = client_for
        self.handling = handling or Handling()
        self.traffic = traffic or Traffic()  # requests being answered: calls wait (a little) for them
        self.on_gone = on_gone  # a workspace's token no longer works: everything for it stops (the app's hook)
        self.evict = evict  # forget the tokens of workspaces that uninstalled Dibs (through another process too)
        self.owner = instance_name()
        self.lease = LEASE
        self.poll = poll
        self._workers = workers
        self._waiting: dict[Conversation, dict[int, Job]] = {}  # per conversation, in order
        self._busy: set[Conversation] = set()
        self._paused: dict[Conversation, datetime] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._threads: list[threading.Thread] = []
        self._gave_up = OnceLog(log)
        self._gone: set[str] = set()  # workspaces that uninstalled Dibs: nothing goes to them

    # ------------------------------------------------------------------ finding work
    def due(self, now: datetime) -> list[Job]:
        """The outbox rows due at `now` that nobody holds."""
        with self.db.read() as session:
            rows = posts.due_posts(session, now, BATCH)
            gone = gone_teams(session)
        if gone - self._gone:  # uninstalled, perhaps through another process: forget their tokens here too
            self.evict(gone - self._gone)
        self._gone = gone
        return [job for job in (Job(*row) for row in rows) if job.team_id not in self._gone]

    def next_due(self) -> datetime | None:
        """When the next row that is not due yet falls due."""
        with self.db.read() as session:
            return posts.next_send_after(session)

    def run(self, job: Job, now: datetime) -> Result:
        """Do one job now (none for a workspace that uninstalled Dibs)."""
        if job.team_id in self._gone:
            return SKIPPED
        client = self.client_for(job.team_id)
        if client is None:
            self.workspace_gone(job.team_id, "no bot token is stored for it")
            return SKIPPED
        result = send_post(client, self.db, job.id, self.owner, now, self.lease, self.handling, job.call)
        if result.outcome == "gave_up" and result.failure is not None:
            # A missing scope is the workspace's (an admin must reinstall): say so once for all its channels.
            where = job.team_id if result.failure.error.startswith("missing_scope") else job.key
            self._gave_up.gave_up(where, result.what, result.failure)
            if result.failure.workspace_gone:
                self.workspace_gone(job.team_id, f"Slack answered {result.failure.error}")
        return result

    def workspace_gone(self, team_id: str, why: str) -> None:
        """Dibs's token no longer works there: stop everything for that workspace at once."""
        self._gone.add(team_id)
        self.on_gone(team_id, why)

    # ------------------------------------------------------------------ in the background
    def start(self) -> None:
        """Start the dispatcher, its workers and the lease keeper; first free the leases of processes
        on this machine that died (a restart after a crash need not wait for them to run out)."""
        self._free_leases_of_the_dead()
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="dibs-courier")
        self.doorbell.owner, self.doorbell.lease = self.owner, self.lease
        self.doorbell.listening = True
        for name, target in (("dibs-dispatch", self._dispatch_loop), ("dibs-leases", self._keep_leases)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.doorbell.ring()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking work, let calls in flight finish, and hand back every lease still held."""
        self._stop.set()
        self.doorbell.listening, self.doorbell.owner = False, None
        self.doorbell.ring()
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
        with self.db.transaction() as tx:
            released = posts.release_post_leases(tx.session, self.owner)
        if released:
            log.info("handed back %s lease(s)", released)

    def _free_leases_of_the_dead(self) -> None:
        with self.db.transaction() as tx:
            dead = {owner for owner in posts.lease_owners(tx.session) if died_here(owner)}
            for owner in dead:
                posts.expire_post_leases(tx.session, owner, tx.now)
        if dead:
            log.info(
                "took over the work of %s process(es) on this machine that stopped without handing it back", len(dead)
            )

    def _dispatch_loop(self) -> None:
        """Hand over what commits hand in; sweep the database when a poll passes or a bell rings empty."""
        swept = 0.0
        while not self._stop.is_set():
            rang = self.doorbell.wait(self.poll)
            jobs = self.doorbell.take()
            if self._stop.is_set():
                return
            try:
                if jobs:
                    self._accept(jobs)
                if (rang and jobs is None) or time.monotonic() - swept >= self.poll:
                    swept = time.monotonic()
                    self._accept(self.due(self.clock.now()))
            except Exception:
                log.exception("the courier could not look for work; trying again shortly")
                self._stop.wait(1.0)

    def _accept(self, jobs: Iterable[Job]) -> None:
        """Queue jobs per conversation, and start a worker on each conversation that has none."""
        now = self.clock.now()
        start: list[Conversation] = []
        with self._lock:
            for job in jobs:
                self._waiting.setdefault(conversation(job), {})[job.id] = job
            for key, waiting in self._waiting.items():
                if waiting and key not in self._busy and self._paused.get(key, now) <= now:
                    self._busy.add(key)
                    start.append(key)
        for key in start:
            assert self._pool is not None
            self._pool.submit(self._work, key)

    def _next(self, key: Conversation) -> Job | None:
        with self._lock:
            waiting = self._waiting.get(key)
            if not waiting or self._stop.is_set():
                self._busy.discard(key)
                self._waiting.pop(key, None)
                return None
            return waiting.pop(next(iter(waiting)))

    def _work(self, key: Conversation) -> None:
        """One conversation's jobs, in order, until none is left; a 429 pauses this conversation only."""
        while (job := self._next(key)) is not None:
            self.traffic.wait_quiet(GIVE_WAY)
            try:
                result = self.run(job, self.clock.now())
            except Exception:
                log.exception("the courier failed on %s; the work stays queued", key)
                self._hand_back([job])
                continue
            if result.failure is not None and result.failure.retry_after is not None and result.until:
                with self._lock:
                    self._paused[key] = result.until
                    dropped = self._waiting.pop(key, {})  # the sweep brings them back when the pause is over
                    self._busy.discard(key)
                self._hand_back(list(dropped.values()))
                return

    def _hand_back(self, jobs: list[Job]) -> None:
        """Free the rows of jobs this process will not do now (leased to it as they were written), so the
        sweep finds them again when their time comes."""
        ids = [job.id for job in jobs if job.call is not None]
        if not ids:
            return
        try:
            with self.db.transaction() as tx:
                posts.release_post_leases(tx.session, self.owner, ids)
        except Exception:
            log.warning("could not hand back %s lease(s); they run out within %s", len(ids), self.lease)

    def _keep_leases(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 4):
            now = self.clock.now()
            try:
                with self.db.transaction(now=now) as tx:
                    posts.renew_post_leases(tx.session, self.owner, now, now + self.lease)
            except Exception:
                log.warning("could not renew the courier's leases", exc_info=True)

    # ------------------------------------------------------------------ right away
    def drain(self, now: datetime | None = None, linger: timedelta = timedelta(seconds=5)) -> int:
        """Deliver everything due at `now` in this thread, waiting (on the clock) for what falls due
        within `linger`; returns how many calls went out. Time spent here moves `now` on."""
        clock = self.clock
        start = now or clock.now()
        began = clock.now()

        def current() -> datetime:
            return start + (clock.now() - began)

        sent = 0
        while True:
            outcomes = [self.run(job, current()).outcome for job in self.due(current())]
            sent += outcomes.count("sent")
            if any(outcome != "skipped" for outcome in outcomes):
                continue  # something moved: look again
            upcoming = self.next_due()
            if upcoming is None or upcoming > start + linger:
                return sent
            clock.sleep(max((upcoming - current()).total_seconds(), 0.01))

"""`Services`: what every listener and job needs, built once by `create_app` and passed down.

Listeners get it by name from Bolt's context (`def handle_claim_clicked(ack, body, services)`);
scheduled jobs and tests get it from the `Dibs` object.

`transaction()` is the one way to change anything: it yields a `Tx` (the session, the settings,
the moment), records the Slack event id in the same transaction when given one (a repeat raises
`AlreadyHandled` and changes nothing), and after the commit wakes the courier, which makes the
Slack calls the transaction queued.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import editor, metrics
from bot.clock import Clock
from bot.delivery.jobs import Doorbell, Traffic, noted, offer_lease
from bot.delivery.members import Memberships
from bot.installs.tokens import Installs, OneWorkspace
from bot.memo import Memo
from bot.settings import Settings
from bot.slack.admins import AdminGroup
from bot.tasks.tx import Tx, settings_in
from store.queries.channels import record_event


class AlreadyHandled(Exception):
    """Slack delivered this event before and Dibs recorded what it meant: nothing more to do."""


# The key of the request being handled (a command's or a click's trigger id), if it should act once: the first
# write transaction made while handling it records the key with what it changes (`once_per`).
_REQUEST_KEY: ContextVar[EventId | None] = ContextVar("dibs_request_key", default=None)


def once_per(key: EventId) -> None:
    """The request being handled (in this `request_scope`) acts once: its first write transaction records
    `key`; a copy of the request raises `AlreadyHandled` there, and changes nothing."""
    _REQUEST_KEY.set(key)


@contextmanager
def request_scope(body: Mapping[str, Any] | None = None) -> Iterator[None]:
    """One request's handling: a key `once_per` set ends with it. With Slack's `body`, it is counted and timed
    (`metrics.observed`) and its ids are on the log lines written meanwhile."""
    token = _REQUEST_KEY.set(None)
    try:
        if body is None:
            yield
        else:
            with metrics.observed(body):
                yield
    finally:
        _REQUEST_KEY.reset(token)


@dataclass(frozen=True)
class EventId:
    """A Slack event's id and workspace: recorded with what the event means, so a retry acts once."""

    team_id: str
    event_id: str


@dataclass(frozen=True)
class Services:
    """The database's session factories, the settings, the clock, the courier's doorbell, the tokens."""

    db: sessionmaker[Session]
    settings: Settings
    clock: Clock
    # Read-only work (lists, lookups) never takes SQLite's write lock; on PostgreSQL it is `db`.
    reader: sessionmaker[Session] | None = None
    # Rung after a commit with the Slack calls it queued; the courier waits on it.
    doorbell: Doorbell = field(default_factory=Doorbell)
    # Slack's requests being answered now: the courier gives way to them.
    traffic: Traffic = field(default_factory=Traffic)
    # Who may change what Dibs watches (the `admins:` group's members, kept in memory).
    admins: AdminGroup = field(default_factory=lambda: AdminGroup(None))
    admins_requests: set[str] = field(default_factory=set)
    # The channels each person is in, as Slack last said (for their Home tab).
    memberships: Memberships = field(default_factory=lambda: Memberships())
    # Each workspace's bot token: the environment's one, or slack_sdk's installation store.
    installs: Installs = field(default_factory=OneWorkspace)
    # What the hot paths read again and again, kept a moment (see `bot.memo`).
    memo: Memo = field(default_factory=Memo)
    # Set after a commit that queued claims behind one being seated: the seater seats them.
    claims_queued: threading.Event = field(default_factory=threading.Event)
    # When each of the tick's occasional passes is next due, by name (retention's: `bot.tasks.retention`).
    next_pass: dict[str, datetime] = field(default_factory=dict)

    def now(self) -> datetime:
        """The current moment by this bot's clock."""
        return self.clock.now()

    def settings_for(self, team_id: str, session: Session | None = None) -> Settings:
        """The settings as they apply in the workspace `team_id`, read in `session` (or a read of its own)."""
        if session is not None:
            return settings_in(session, self.settings, team_id, self.memo)
        with self.read() as reading:
            return settings_in(reading, self.settings, team_id, self.memo)

    def admins_wanted(self, team_id: str) -> None:
        """Ask for the admins group's members of a workspace to be read (a background job does it soon)."""
        self.admins_requests.add(team_id)

    @contextmanager
    def transaction(self, event: EventId | None = None, now: datetime | None = None) -> Iterator[Tx]:
        """A write transaction at `now` (default: the clock's); `event` is recorded in it, once.

        After the commit it hands the courier the jobs the transaction made (Slack calls to make).
        """
        moment = now or self.now()
        request_key = _REQUEST_KEY.get() if event is None else None
        if request_key is not None:
            event = request_key
            _REQUEST_KEY.set(None)  # recorded once, by the request's first write that commits
        try:
            with self.db.begin() as session:
                if self.doorbell.owner is not None:  # this process's courier runs: what is written now is its
                    offer_lease(session, self.doorbell.owner, moment + self.doorbell.lease)
                if event is not None and not record_event(session, event.team_id, event.event_id, moment):
                    raise AlreadyHandled(event.event_id)
                tx = Tx(session, self.settings, moment, memo=self.memo)
                yield tx
                editor.write(tx)
        except BaseException:
            if request_key is not None:  # rolled back: the request's next write records it
                _REQUEST_KEY.set(request_key)
            raise
        for key in tx.forgotten:
            self.memo.forget(key)
        jobs = noted(session)
        if jobs:
            self.doorbell.ring(jobs)
        if tx.queued_claims:
            self.claims_queued.set()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (a deferred one on SQLite, so readers never queue behind writers)."""
        with (self.reader or self.db).begin() as session:
            yield session

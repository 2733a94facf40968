"""`Services`: what every listener and job needs, built once by `create_app` and passed down.

Listeners get it by name from Bolt's context (`def handle_claim_clicked(ack, body, services)`);
scheduled jobs and tests get it from the `Dibs` object.

`transaction()` is the one way to change anything: it yields a `Tx` (the session, the settings,
the moment), records the Slack event id in the same transaction when given one (a repeat raises
`AlreadyHandled` and changes nothing), and after the commit wakes the courier, which makes the
Slack calls the transaction queued.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot import editor
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
        with self.db.begin() as session:
            if self.doorbell.owner is not None:  # this process's courier runs: what is written now is leased to it
                offer_lease(session, self.doorbell.owner, moment + self.doorbell.lease)
            if event is not None and not record_event(session, event.team_id, event.event_id, moment):
                raise AlreadyHandled(event.event_id)
            tx = Tx(session, self.settings, moment, memo=self.memo)
            yield tx
            editor.write(tx)
        for key in tx.forgotten:
            self.memo.forget(key)
        jobs = noted(session)
        if jobs:
            self.doorbell.ring(jobs)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (a deferred one on SQLite, so readers never queue behind writers)."""
        with (self.reader or self.db).begin() as session:
            yield session

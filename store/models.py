"""Typed SQLAlchemy 2 models. Every row belongs to one workspace (`team_id`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.enums import ClaimRole, GiftState, PostState, TaskStatus, Via

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (freezegun-friendly)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A `StrEnum` stored as its plain string in a VARCHAR (no database enum type, no CHECK)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    """Every table, with constraint names that Alembic can find again."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Task(Base):
    """One follow-up: a marketing post (or /dibs new) that needs an owner."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "message_ts", name="uq_tasks_message"),
        Index("ix_tasks_team_status", "team_id", "status"),
        Index("ix_tasks_reply", "team_id", "channel_id", "reply_ts"),
        Index("ix_tasks_channel_status", "team_id", "channel_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[TaskStatus] = mapped_column(EnumText(TaskStatus, 16), default=TaskStatus.OPEN)
    slots: Mapped[int] = mapped_column(Integer, default=1)
    posted_by: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    # In a private channel: seen and acted on only in that channel.
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    # The post the task lives under; NULL while Dibs's own announcement (/dibs new) is still to be posted.
    message_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    # The bot's reply in the thread; NULL until Slack has accepted it (the outbox retries it).
    reply_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)
    done_link: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    done_by: Mapped[str | None] = mapped_column(String(32), default=None)
    # `version` moves on with every change; the thread reply shows `thread_version`. While they differ one
    # outbox row (`thread_queued`) brings the reply up to date, so a failed chat.update is retried, never lost.
    version: Mapped[int] = mapped_column(Integer, default=1)
    thread_version: Mapped[int] = mapped_column(Integer, default=0)
    thread_queued: Mapped[bool] = mapped_column(Boolean, default=False)
    # Nagging: the clock starts when the task (re)opens; the tick sends what is due and moves it on.
    open_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    next_nag_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    nags_sent: Mapped[int] = mapped_column(Integer, default=0)
    poster_nagged: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Due dates: reminders to the owners before the day, then one last step when it turns overdue.
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    due_reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    # `rotation: fair`: the person Dibs asked privately to take it (the thread names them; never who declined).
    nominee: Mapped[str | None] = mapped_column(String(32), default=None)
    # Who was passed over for the nominee as away, as the thread says it ("<@U4> is out of office until Fri").
    nominee_note: Mapped[str | None] = mapped_column(String(300), default=None)
    # Staffing: the kind's roles and their seats as JSON (`[["lead", 1], ["staff", 2]]`, in order); NULL is
    # plain `slots` (one role without a name). `slots` is always the sum of the seats.
    roles: Mapped[str | None] = mapped_column(Text, default=None)
    # When and where the event is (`/dibs when`); a due date alone is an all-day event on that day.
    event_start: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    event_end: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    place: Mapped[str | None] = mapped_column(String(200), default=None)
    # When the roster goes into the thread (`roster.before` the event); NULL once posted or without a date.
    roster_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    # The calendar entries' SEQUENCE (RFC 5545): it moves on when the event's time or place changes.
    calendar_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The last time a person changed the task (claim, release, done, due...): a claim quiet since is nudged.
    touched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When the owners of a claimed task without a due date are next asked "still on it?".
    stale_nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)

    claims: Mapped[list[Claim]] = relationship(back_populates="task", order_by="Claim.id", cascade="all, delete-orphan")


class Claim(Base):
    """A person on a task: an owner, offered a freed seat (until `offered_until`), or waiting in line
    (ordered by id) for one. `seat` is the role (NULL on a task with plain slots)."""

    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("task_id", "user_id", name="uq_claims_task_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[ClaimRole] = mapped_column(EnumText(ClaimRole, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seat: Mapped[str | None] = mapped_column(String(40), default=None)
    offered_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    # Who put them there when it was not themselves (an admin or the poster taking a seat over for them).
    placed_by: Mapped[str | None] = mapped_column(String(32), default=None)

    task: Mapped[Task] = relationship(back_populates="claims")


class Swap(Base):
    """An owner asked someone to take their seat (`/dibs swap`): it moves only when they accept."""

    __tablename__ = "swaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    from_user: Mapped[str] = mapped_column(String(32))
    to_user: Mapped[str] = mapped_column(String(32))
    seat: Mapped[str | None] = mapped_column(String(40), default=None)
    state: Mapped[str] = mapped_column(String(16), default="asked")  # asked, accepted, declined, void, undelivered
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ClaimRequest(Base):
    """A claim that came in while another was being seated on the same task (PostgreSQL): kept before the
    ack, seated after it in arrival order (by id) by whoever holds the task's claims next. `tell_*`: where the
    claimant hears the outcome (their channel, and thread), if anywhere."""

    __tablename__ = "claim_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    via: Mapped[Via] = mapped_column(EnumText(Via, 16))
    seat: Mapped[str | None] = mapped_column(String(40), default=None)
    tell_channel: Mapped[str | None] = mapped_column(String(32), default=None)
    tell_thread: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Undo(Base):
    """What a task's people looked like before one change, so its Undo button can put them back
    (for a few minutes, and only while the task is still at `version`)."""

    __tablename__ = "undos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    before: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class TaskEvent(Base):
    """The audit trail: one row per transition (and per reminder), saying who did what, when and how."""

    __tablename__ = "task_events"
    __table_args__ = (Index("ix_task_events_team_at", "team_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(24))
    via: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text, default=None)


class WatchedChannel(Base):
    """A channel whose marketing posts become tasks."""

    __tablename__ = "watched_channels"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The newest message ts read back from the channel's history after a restart (catch-up starts there).
    caught_up_to: Mapped[str | None] = mapped_column(String(32), default=None)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    # Archived in Slack: no reminders, no digest, until it is unarchived.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class ProcessedEvent(Base):
    """Event ids already handled, so Slack's retries never act twice."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class OutboxPost(Base):
    """One Web API call Dibs owes Slack (a post, a DM, a private note, a view), recorded before the ack
    and made after it, retried until Slack takes it or gives an answer that retrying cannot change.

    `dedupe_key` is unique, so two processes planning the same reminder make one row. `channel_id`
    is the conversation the call goes to (a user id for DMs and views): calls to one are made in order.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "send_after"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), default=None, index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(40), default="chat.postMessage")
    # Further arguments of the call as JSON (the ephemeral's user, a view, a trigger id).
    args: Mapped[str | None] = mapped_column(Text, default=None)
    # Where to tell the person who asked, if the call can never be made (a slash command's response_url).
    response_url: Mapped[str | None] = mapped_column(String(500), default=None)
    recipient: Mapped[str | None] = mapped_column(String(32), default=None)
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[str | None] = mapped_column(Text, default=None)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    state: Mapped[PostState] = mapped_column(EnumText(PostState, 16), default=PostState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    lease_owner: Mapped[str | None] = mapped_column(String(40), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sent_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)


class DigestRun(Base):
    """One row per channel and local day: whoever inserts it posts that day's digest."""

    __tablename__ = "digest_runs"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChannelList(Base):
    """A channel's standing list of open follow-ups: one message, kept up to date in place, moved to the
    bottom of the channel (posted anew, the old one deleted) when a reminder or the morning edition is due."""

    __tablename__ = "channel_lists"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ts: Mapped[str | None] = mapped_column(String(32), default=None)  # the live message; None until posted
    # `version` moves on whenever what the list shows changes; Slack shows `shown`. While they differ, one
    # outbox row (`queued`) brings it up to date; `move`: that row posts it anew at the bottom.
    version: Mapped[int] = mapped_column(Integer, default=0)
    shown: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[bool] = mapped_column(Boolean, default=False)
    move: Mapped[bool] = mapped_column(Boolean, default=False)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Who the next move calls (a group, @here), and the local day it last called anyone.
    mention: Mapped[str | None] = mapped_column(String(300), default=None)
    mentioned_on: Mapped[date | None] = mapped_column(Date, default=None)
    # The morning edition: its day, what "since yesterday" counts from, and its weekly numbers and the pings
    # held back for it (JSON), shown until the next edition.
    edition_day: Mapped[date | None] = mapped_column(Date, default=None)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    extra: Mapped[str | None] = mapped_column(Text, default=None)


class PingCount(Base):
    """How often Dibs pinged a person on a local day (the noise budget)."""

    __tablename__ = "ping_counts"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ChannelPace(Base):
    """When Dibs may next post to a channel: at most one scheduled message per second per channel."""

    __tablename__ = "channel_pace"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_post_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Workspace(Base):
    """A Slack workspace Dibs has been told about: uninstalled (or its token revoked) means silent."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Feed(Base):
    """A blog comment feed (RSS or Atom) polled for new items, each announced as a task in `channel_id`."""

    __tablename__ = "feeds"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "url", name="uq_feeds_channel_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(40))
    every_seconds: Mapped[int] = mapped_column(Integer, default=600)
    backfill: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[str] = mapped_column(String(16), default="slack")  # "settings" (the file) or "slack"
    added_by: Mapped[str | None] = mapped_column(String(32), default=None)
    # Conditional GET: what the feed's server said last time.
    etag: Mapped[str | None] = mapped_column(String(300), default=None)
    last_modified: Mapped[str | None] = mapped_column(String(100), default=None)
    primed: Mapped[bool] = mapped_column(Boolean, default=False)  # the first poll recorded what was there
    next_poll_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # "feed" (RSS or Atom) or "calendar" (iCalendar: each event a task, moved and cancelled ones followed).
    source: Mapped[str] = mapped_column(String(16), default="feed", server_default="feed")
    # A calendar's `match:` words (a JSON list): only events whose summary names one become tasks; NULL: all.
    match: Mapped[str | None] = mapped_column(Text, default=None)
    # A calendar's events are read this far ahead (its `horizon`, 90 days unless the settings file says).
    horizon_seconds: Mapped[int] = mapped_column(Integer, default=7_776_000, server_default="7776000")


class ExternalKey(Base):
    """Something outside Slack that became (or was seen as) a task: a feed item's GUID, a webhook's
    external_id. Unique per workspace, so nothing is announced twice, across restarts and processes."""

    __tablename__ = "external_keys"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GiftRecipient(Base):
    """One person a gift campaign sends a gift to, and whether it arrived."""

    __tablename__ = "gift_recipients"
    __table_args__ = (UniqueConstraint("task_id", "name_key", name="uq_gift_recipients_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # the name folded: matched in any case
    email: Mapped[str | None] = mapped_column(String(200), default=None)
    company: Mapped[str | None] = mapped_column(String(200), default=None)
    address: Mapped[str | None] = mapped_column(String(500), default=None)
    owner: Mapped[str | None] = mapped_column(String(32), default=None)
    state: Mapped[GiftState] = mapped_column(EnumText(GiftState, 16), default=GiftState.PENDING)
    followup_task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Route(Base):
    """Which user group owns a kind in one workspace (`/dibs route`), over the settings file's owner_group."""

    __tablename__ = "routes"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_group: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HomeView(Base):
    """When a person last opened Dibs's Home tab: it is published again for them when a task they see changes."""

    __tablename__ = "home_views"
    __table_args__ = (Index("ix_home_views_team_opened", "team_id", "opened_at"),)

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkspaceSetting(Base):
    """One workspace's own value for a setting (`/dibs settings`), over the settings file's default.

    `value` is stored as typed (`Europe/Berlin`, `09:00-17:00 mon-fri`, `09:30`) and parsed by the same
    rules as the file, so a workspace can never hold a value the file would refuse.
    """

    __tablename__ = "workspace_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrackedPhrase(Base):
    """A phrase of a post someone tracked by hand (Track with Dibs) because it matched no kind: the same phrase
    in enough such posts of one kind is suggested to the admins as that kind's phrase."""

    __tablename__ = "tracked_phrases"
    __table_args__ = (
        UniqueConstraint("task_id", "phrase", name="uq_tracked_phrases_task_phrase"),
        Index("ix_tracked_phrases_team_kind_seen", "team_id", "kind", "seen_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    phrase: Mapped[str] = mapped_column(String(200))  # stemmed, as the classifier compares it
    words: Mapped[str] = mapped_column(String(200))  # as the post wrote it, lower case
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KindPhrase(Base):
    """A phrase an admin added to a kind in one workspace (`added`), on top of the settings file's, or a
    suggestion they dismissed (not `added`: it is not suggested again)."""

    __tablename__ = "kind_phrases"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    phrase: Mapped[str] = mapped_column(String(200), primary_key=True)  # stemmed
    words: Mapped[str] = mapped_column(String(200))  # as the admin accepted it
    added: Mapped[bool] = mapped_column(Boolean)
    decided_by: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClaimerRoute(Base):
    """Which user group may claim a kind's tasks in one workspace (`/dibs route KIND @group claimers`), over the
    settings file's `kinds.X.claimers`."""

    __tablename__ = "claimer_routes"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupMembers(Base):
    """A user group's members as Slack last told Dibs (`usergroups.users.list`, or a subteam event)."""

    __tablename__ = "group_members"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    members: Mapped[str] = mapped_column(Text)  # a JSON list of user ids
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Person(Base):
    """What Dibs last read of a person from Slack: their status, time zone and Do Not Disturb (availability)."""

    __tablename__ = "people"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status_emoji: Mapped[str | None] = mapped_column(String(100), default=None)
    status_text: Mapped[str | None] = mapped_column(String(200), default=None)
    status_expiration: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)  # None: no expiry
    tz: Mapped[str | None] = mapped_column(String(64), default=None)
    profile_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # dnd.teamInfo: Do Not Disturb on, and the next (or current) quiet span.
    dnd_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    dnd_start: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    dnd_end: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    dnd_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class AwayNotice(Base):
    """Something that passed a person by while they were away (an offered seat went to the next in line): they
    are told once they are back (`told_at`)."""

    __tablename__ = "away_notices"
    __table_args__ = (Index("ix_away_notices_team_user", "team_id", "user_id", "told_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CalendarEvent(Base):
    """One occurrence of an iCalendar feed's event (its UID and RECURRENCE-ID) and the task it became, with the
    time and place last read, so a moved or cancelled event is seen."""

    __tablename__ = "calendar_events"

    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # UID, and RECURRENCE-ID for an occurrence
    team_id: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), default=None, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    place: Mapped[str | None] = mapped_column(String(200), default=None)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""The settings model: one frozen object built at start-up and passed down.

Each field's type reads what an admin writes and refuses anything else (values.py); the sections
are also what the file's sections (`nag:`, `digest:`...) are read into. Everything an admin can
set is documented in README.md ("Settings reference"); keep the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field, TypeAdapter, model_validator

from bot.settings.availability import AvailabilitySettings, NomineeSettings
from bot.settings.calendars import Calendars
from bot.settings.kinds import DEFAULT_KINDS, Kind
from bot.settings.values import (
    Clock,
    DateOrder,
    Duration,
    DurationOrOff,
    Emoji,
    Flag,
    Frozen,
    GroupId,
    Section,
    TimeZoneName,
    check_entries,
    checked,
    list_of,
    matches,
    one_of,
    only,
    poll_every,
    read_clock,
    read_days,
    read_duration,
    read_duration_or_off,
    refuse,
    slack_id,
    whole,
)

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///dibs.db"


class WorkingHours(Frozen):
    """When reminders may be sent; `always` means any time."""

    always: bool = False
    start: time = time(9, 0)
    end: time = time(17, 0)
    days: frozenset[int] = frozenset(range(5))


def _working_hours(value: object) -> WorkingHours:
    """`always`, or `"09:00-17:00 mon-fri"` (days optional, default mon-fri)."""
    if isinstance(value, WorkingHours):
        return value
    if value == "always":
        return WorkingHours(always=True)
    parts = value.split() if isinstance(value, str) else []
    if not parts or len(parts) > 2 or parts[0].count("-") != 1:
        refuse(f'{value!r} is not accepted; write always or like "09:00-17:00 mon-fri"')
    start_text, end_text = parts[0].split("-")
    start, end = read_clock(start_text), read_clock(end_text)
    if end <= start:
        refuse(f"the end {end_text} must come after the start {start_text}")
    return WorkingHours(start=start, end=end, days=read_days(parts[1]) if len(parts) == 2 else frozenset(range(5)))


WorkingHoursText = Annotated[WorkingHours, BeforeValidator(_working_hours)]
_WORKING_HOURS: TypeAdapter[WorkingHours] = TypeAdapter(WorkingHoursText)


def parse_working_hours(value: object) -> WorkingHours:
    """Parse `always` or `"09:00-17:00 mon-fri"` (days optional, default mon-fri); SettingsError if not."""
    return checked("working_hours", _WORKING_HOURS, value)


def _before_due(value: object) -> tuple[timedelta, ...]:
    items = value or []
    if not isinstance(items, list | tuple):
        refuse("expected a list of durations before the due date, like [3d, 1d]")
    return tuple(sorted((read_duration(item) for item in items), reverse=True))


class NagSettings(Section):
    """When and how loudly unclaimed and due tasks are brought up again."""

    first_after: Duration = timedelta(hours=2)
    every: Duration = timedelta(hours=4)
    escalate_after: Duration = timedelta(days=1)
    dm_poster_after: Duration = timedelta(days=3)
    max_pings_per_day: Annotated[int, whole(1, 100)] = 3
    coalesce_over: Annotated[int, whole(1, 1000)] = 3  # no longer used: a channel's reminders are one list
    due_reminders: Annotated[tuple[timedelta, ...], BeforeValidator(_before_due)] = (  # longest first
        timedelta(days=3),
        timedelta(days=1),
    )
    # A claimed task without a due date, quiet this long (working hours): its owners are asked "still on it?".
    stale_claim_after: DurationOrOff = timedelta(days=3)


def _digest_days(value: object) -> frozenset[int]:
    if isinstance(value, frozenset):
        return value
    text = str(value).strip().lower()
    return frozenset() if text == "none" else read_days(text)


class DigestSettings(Section):
    """The daily digest: when, on which days, and what to do on a quiet day."""

    at: Clock = time(9, 0)
    days: Annotated[frozenset[int], BeforeValidator(_digest_days)] = frozenset(range(5))  # none: no digest
    when_empty: Annotated[str, one_of("one_line", "skip")] = "one_line"
    when_unchanged: Annotated[str, one_of("post", "skip")] = "skip"  # post: an edition even when nothing changed
    quiet_window: Duration = timedelta(hours=2)  # the open follow-ups list moves to the channel's bottom this often


def _wait(value: object) -> timedelta:
    if isinstance(value, timedelta) and value >= timedelta(0):
        return value
    return read_duration_or_off(value) or timedelta(0)


Wait = Annotated[timedelta, BeforeValidator(_wait)]  # off or 0: no wait


class StaffingSettings(Section):
    """Seats: how long a freed seat is held for the first person waiting, and when the roster is posted."""

    offer_expires_after: Wait = timedelta(hours=24)  # working hours; 0: the seat is theirs at once
    roster_before: DurationOrOff = timedelta(days=1)  # None: no roster
    # A calendar entry waits this long for related changes (a date, then the hours): they go as one message.
    calendar_merge_within: Wait = timedelta(minutes=1)


class StatsSettings(Section):
    """The numbers: whether the weekly digest carries a chart."""

    chart: Flag = True


def _keep_closed(value: object) -> timedelta | None:
    kept = read_duration_or_off(value)
    if kept is not None and kept < timedelta(days=1):
        refuse(f"{value!r} is too short; keep closed tasks a day at least (1d or more), or write off")
    return kept


class RetentionSettings(Section):
    """How long done and cancelled tasks are kept, with their audit trail (None: for ever)."""

    closed_after: Annotated[timedelta | None, BeforeValidator(_keep_closed)] = timedelta(days=400)


class FeedSettings(Section):
    """A feed from the settings file: where it is, which channel announces its items, as which kind."""

    url: Annotated[
        str,
        only(
            matches(r"https?://\S{3,990}"),
            lambda v: f"{v!r} is not a feed address; write it like https://blog.example.com/comments/feed/",
        ),
    ]
    channel: Annotated[str, slack_id(r"[CG][A-Z0-9]{2,20}", "channel id", "C0123ABCD")]
    kind: Annotated[  # one of the settings' kinds (Settings checks which)
        str,
        only(lambda v: isinstance(v, str), lambda v: f"{v!r} is not a kind; write a kind's name, like blog_comment"),
    ] = "blog_comment"
    every: Annotated[timedelta, BeforeValidator(poll_every)] = timedelta(minutes=10)
    backfill: Annotated[int, whole(0, 50)] = 0  # on the first poll, announce the newest N items (0: only later ones)
    # Its workspace (T…); without one, the bot token's (one workspace).
    team: Annotated[str | None, slack_id(r"T[A-Z0-9]{2,20}", "workspace id", "T0123ABCD", or_none=True)] = None

    @classmethod
    def _completed(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {"url": None, "channel": None, **data}  # left out: refused as what they are not


def _bot_ids(value: object) -> frozenset[str]:
    if isinstance(value, frozenset):
        return value
    items = value or []
    if not isinstance(items, list) or not all(matches(r"[AB][A-Z0-9]{2,20}")(item) for item in items):
        refuse("expected a list of bot ids (B0123ABC) or app ids (A0123ABC)")
    return frozenset(items)


Feeds = Annotated[tuple[FeedSettings, ...], list_of("feed entries like {url: https://…, channel: C0123}")]
BotIds = Annotated[frozenset[str], BeforeValidator(_bot_ids)]


class Settings(Frozen):
    """Everything Dibs needs to run; built once by `load_settings` and passed down."""

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    # Many workspaces (Slack's OAuth install flow): the app's credentials, instead of a bot token.
    client_id: str | None = None
    client_secret: str | None = None
    state_secret: str | None = None  # signs the OAuth state parameter
    redirect_uri: str | None = None  # only needed when the app lists several redirect URLs
    intake_token: str | None = None  # DIBS_INTAKE_TOKEN: POST /intake is open only with it
    goody_secret: str | None = None  # DIBS_GOODY_SECRET (whsec_…): POST /intake/goody is open only with it
    sendoso_secret: str | None = None  # DIBS_SENDOSO_SECRET: POST /intake/sendoso is open only with it
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    timezone: TimeZoneName = "UTC"
    date_order: DateOrder = "MDY"  # how `1/20` reads: MDY (January 20) or DMY (`20/1` is January 20)
    working_hours: WorkingHoursText = Field(default_factory=WorkingHours)
    nag: NagSettings = Field(default_factory=NagSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    stats: StatsSettings = Field(default_factory=StatsSettings)
    nominee: NomineeSettings = Field(default_factory=NomineeSettings)
    availability: AvailabilitySettings = Field(default_factory=AvailabilitySettings)
    staffing: StaffingSettings = Field(default_factory=StaffingSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    claim_reaction: Emoji = "raising_hand"
    done_reaction: Emoji = "white_check_mark"
    kinds: Mapping[str, Kind] = Field(default_factory=lambda: dict(DEFAULT_KINDS))
    feeds: Feeds = ()
    calendars: Calendars = ()
    # Bot or app ids (B…, A…) whose top-level posts in watched channels are read like people's.
    accept_bots: BotIds = frozenset()
    retry_every: Duration = timedelta(minutes=1)
    # A user group id: only its members may change what Dibs watches in a channel (None: anyone there).
    admins: GroupId = None

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        """Refuse what contradicts itself: one emoji to claim and finish, a feed of no kind, a feed
        without its workspace when Dibs serves many."""
        if self.claim_reaction == self.done_reaction:
            refuse("claim and done must be different emoji", "reactions")
        check_entries(self.feeds, self.kinds, self.many_workspaces, "feeds", "feed")
        check_entries(self.calendars, self.kinds, self.many_workspaces, "calendars", "calendar")
        return self

    @property
    def many_workspaces(self) -> bool:
        """Installed per workspace through Slack's OAuth flow (SLACK_CLIENT_ID, no SLACK_BOT_TOKEN)."""
        return self.client_id is not None and self.bot_token is None

    @property
    def secrets(self) -> tuple[str | None, ...]:
        """What the logs must never show (tokens are masked by their shape)."""
        return (
            self.signing_secret,
            self.client_secret,
            self.state_secret,
            self.intake_token,
            self.goody_secret,
            self.sendoso_secret,
        )

    @property
    def tz(self) -> ZoneInfo:
        """The workspace time zone."""
        return ZoneInfo(self.timezone)

    def kind(self, name: str) -> Kind | None:
        """The kind called `name`, if there is one."""
        return self.kinds.get(name)

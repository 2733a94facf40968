"""The settings model: one frozen object built at start-up and passed down.

Everything an admin can set is documented in README.md ("Settings reference"); keep the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///dibs.db"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SettingsError(ValueError):
    """A setting has a value Dibs cannot use; the message names the key and what is accepted."""


@dataclass(frozen=True)
class Kind:
    """A kind of follow-up: how to recognise it and how its ownership thread reads."""

    name: str
    keywords: tuple[str, ...]
    slots: int = 1
    owner_group: str | None = None
    question: str = "Who owns this follow-up?"
    done_needs_link: bool = False
    # "fair": still unclaimed at nag.escalate_after, one person is asked privately (see NomineeSettings).
    rotation: str | None = None
    # Roles with their seats, in order (`roles: {lead: 1, staff: 2}`): instead of plain `slots`.
    roles: tuple[tuple[str, int], ...] = ()


DEFAULT_KINDS: dict[str, Kind] = {
    "event": Kind(
        name="event",
        keywords=("booth", "event", "expo", "conference", "trade show", "meetup", "webinar"),
        slots=2,
        question="Who will staff this event?",
    ),
    "blog_comment": Kind(
        name="blog_comment",
        keywords=("blog comment", "commented"),
        question="Who will answer this comment?",
    ),
    "gift_campaign": Kind(
        name="gift_campaign",
        keywords=("gift", "gifts", "swag"),
        question="Who will make sure every gift arrives and cover anyone missed?",
    ),
    # Made by Dibs when a campaign's recipient is marked missed (`/dibs gift ID missed NAME`).
    "gift_followup": Kind(
        name="gift_followup",
        keywords=("gift follow-up",),
        question="Who will arrange a gift for this recipient?",
    ),
}


@dataclass(frozen=True)
class WorkingHours:
    """When reminders may be sent; `always` means any time."""

    always: bool = False
    start: time = time(9, 0)
    end: time = time(17, 0)
    days: frozenset[int] = frozenset(range(5))


@dataclass(frozen=True)
class NagSettings:
    """When and how loudly unclaimed and due tasks are brought up again."""

    first_after: timedelta = timedelta(hours=2)
    every: timedelta = timedelta(hours=4)
    escalate_after: timedelta = timedelta(days=1)
    dm_poster_after: timedelta = timedelta(days=3)
    max_pings_per_day: int = 3
    coalesce_over: int = 3
    due_reminders: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1))
    # A claimed task without a due date, quiet this long (working hours): its owners are asked "still on it?".
    stale_claim_after: timedelta | None = timedelta(days=3)


@dataclass(frozen=True)
class DigestSettings:
    """The daily digest: when, on which days, and what to do on a quiet day."""

    at: time = time(9, 0)
    days: frozenset[int] = frozenset(range(5))
    when_empty: str = "one_line"
    when_unchanged: str = "post"  # "skip": no digest when nothing changed since the last one


@dataclass(frozen=True)
class NomineeSettings:
    """`rotation: fair`: who is never asked (a Slack status with one of these emoji: away, ill)."""

    skip_status: frozenset[str] = frozenset({"palm_tree", "face_with_thermometer"})
    lookback: timedelta = timedelta(days=30)  # claims counted over this long: the fewest is asked first


@dataclass(frozen=True)
class StaffingSettings:
    """Seats: how long a freed seat is held for the first person waiting, and when the roster is posted."""

    offer_expires_after: timedelta = timedelta(hours=24)  # working hours; 0: the seat is theirs at once
    roster_before: timedelta | None = timedelta(days=1)  # None: no roster


@dataclass(frozen=True)
class StatsSettings:
    """The numbers: whether the weekly digest carries a chart."""

    chart: bool = True


@dataclass(frozen=True)
class FeedSettings:
    """A feed from the settings file: where it is, which channel announces its items, as which kind."""

    url: str
    channel: str
    kind: str = "blog_comment"
    every: timedelta = timedelta(minutes=10)
    backfill: int = 0  # on the first poll, announce the newest N items (0: only what comes after)
    team: str | None = None  # its workspace (T…); without one, the bot token's (one workspace)


@dataclass(frozen=True)
class Settings:
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
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "UTC"
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    nag: NagSettings = field(default_factory=NagSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    stats: StatsSettings = field(default_factory=StatsSettings)
    nominee: NomineeSettings = field(default_factory=NomineeSettings)
    staffing: StaffingSettings = field(default_factory=StaffingSettings)
    claim_reaction: str = "raising_hand"
    done_reaction: str = "white_check_mark"
    kinds: Mapping[str, Kind] = field(default_factory=lambda: dict(DEFAULT_KINDS))
    feeds: tuple[FeedSettings, ...] = ()
    # Bot or app ids (B…, A…) whose top-level posts in watched channels are read like people's.
    accept_bots: frozenset[str] = frozenset()
    retry_every: timedelta = timedelta(minutes=1)
    # A user group id: only its members may change what Dibs watches in a channel (None: anyone there).
    admins: str | None = None

    @property
    def many_workspaces(self) -> bool:
        """Installed per workspace through Slack's OAuth flow (SLACK_CLIENT_ID, no SLACK_BOT_TOKEN)."""
        return self.client_id is not None and self.bot_token is None

    @property
    def tz(self) -> ZoneInfo:
        """The workspace time zone."""
        return ZoneInfo(self.timezone)

    def kind(self, name: str) -> Kind | None:
        """The kind called `name`, if there is one."""
        return self.kinds.get(name)

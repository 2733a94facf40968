"""Reading the settings: the environment, then an optional YAML file read into `SettingsFile`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, Field, TypeAdapter, ValidationError, ValidationInfo, field_validator

from bot.settings.calendars import Calendars
from bot.settings.kinds import DEFAULT_KINDS, KIND_NAME, KIND_NAME_RULE, Kind
from bot.settings.model import (
    DEFAULT_API_URL,
    DEFAULT_DATABASE_URL,
    AvailabilitySettings,
    BotIds,
    DigestSettings,
    Feeds,
    NagSettings,
    NomineeSettings,
    RetentionSettings,
    Settings,
    StaffingSettings,
    StatsSettings,
    Wait,
    WorkingHours,
    WorkingHoursText,
)
from bot.settings.values import (
    DateOrder,
    Duration,
    DurationOrOff,
    Emoji,
    GroupId,
    Section,
    SettingsError,
    TimeZoneName,
    checked,
    known_keys,
    mapping,
    matches,
    only,
    refuse,
    settings_error,
)

ENVIRONMENT = {  # Settings field: the variable it is read from (empty means unset)
    "bot_token": "SLACK_BOT_TOKEN",
    "signing_secret": "SLACK_SIGNING_SECRET",
    "app_token": "SLACK_APP_TOKEN",
    "client_id": "SLACK_CLIENT_ID",
    "client_secret": "SLACK_CLIENT_SECRET",
    "state_secret": "SLACK_STATE_SECRET",
    "redirect_uri": "SLACK_REDIRECT_URI",
    "intake_token": "DIBS_INTAKE_TOKEN",
    "goody_secret": "DIBS_GOODY_SECRET",
    "sendoso_secret": "DIBS_SENDOSO_SECRET",
}
_API_URL: TypeAdapter[str] = TypeAdapter(
    Annotated[
        str,
        only(matches(r"https?://[\s\S]*"), lambda v: f"{v!r} is not a URL; write it like https://slack.com/api/"),
        AfterValidator(lambda url: url if url.endswith("/") else url + "/"),
    ]
)
_KIND_KEYS = frozenset(Kind.model_fields) - {"name"}  # a kind's name is its key in `kinds:`
_KEEP_THE_BASES = {
    "timezone", "date_order", "working_hours", "feeds", "calendars", "accept_bots", "admins", "retry_every",
}  # fmt: skip


class Reactions(Section):
    """`reactions:` the emoji that claim and finish a task."""

    claim: Emoji = "raising_hand"
    done: Emoji = "white_check_mark"


class Roster(Section):
    """`roster:` when a dated event's roster goes into its thread."""

    before: DurationOrOff = timedelta(days=1)


class SettingsFile(Section):
    """The YAML file as an admin writes it: every key optional, each read by its value's rules."""

    timezone: TimeZoneName = "UTC"
    date_order: DateOrder = "MDY"
    working_hours: WorkingHoursText = Field(default_factory=WorkingHours)
    nag: NagSettings = Field(default_factory=NagSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    stats: StatsSettings = Field(default_factory=StatsSettings)
    nominee: NomineeSettings = Field(default_factory=NomineeSettings)
    availability: AvailabilitySettings = Field(default_factory=AvailabilitySettings)
    offer_expires_after: Wait = timedelta(hours=24)
    calendar_merge_within: Wait = timedelta(minutes=1)
    roster: Roster = Field(default_factory=Roster)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    reactions: Reactions = Field(default_factory=Reactions)
    kinds: Mapping[str, Kind] = Field(default=None, validate_default=True)  # the base's, with the file's over them
    feeds: Feeds = ()
    calendars: Calendars = ()
    accept_bots: BotIds = frozenset()
    admins: GroupId = None
    retry_every: Duration = timedelta(minutes=1)

    @field_validator("kinds", mode="before")
    @classmethod
    def _over_the_bases(cls, value: object, info: ValidationInfo) -> dict[str, Any]:
        """The base's kinds (from the validation context), each field the file sets replaced, new kinds after."""
        base: Mapping[str, Kind] = (info.context or {}).get("kinds", DEFAULT_KINDS)
        kinds: dict[str, Any] = dict(base)
        for key, entry in mapping(value).items():
            name = str(key)
            entry = mapping(entry, name)
            if not matches(KIND_NAME)(name):
                refuse(KIND_NAME_RULE, name)
            fields = known_keys(entry, _KIND_KEYS, name)
            kinds[name] = {**(base[name].model_dump() if name in base else {}), **fields, "name": name}
        return kinds

    def over(self, base: Settings) -> Settings:
        """`base` with this file applied, exactly as Dibs always has: the sections (nag, digest, stats,
        nominee, staffing, retention) whole, a section left out taking its defaults; kinds over the base's; the
        other keys only where the file writes them. Contradictions are refused (see `Settings`)."""
        written = self.model_fields_set
        reactions = self.reactions.model_fields_set
        return Settings.model_validate(
            {
                **dict(base),
                **{key: getattr(self, key) for key in written & _KEEP_THE_BASES},
                "nag": self.nag,
                "digest": self.digest,
                "stats": self.stats,
                "nominee": self.nominee,
                "availability": self.availability,
                "retention": self.retention,
                "staffing": StaffingSettings(
                    offer_expires_after=self.offer_expires_after,
                    roster_before=self.roster.before,
                    calendar_merge_within=self.calendar_merge_within,
                ),
                "kinds": self.kinds,
                "claim_reaction": self.reactions.claim if "claim" in reactions else base.claim_reaction,
                "done_reaction": self.reactions.done if "done" in reactions else base.done_reaction,
            }
        )


def settings_from_yaml(data: Mapping[str, Any], base: Settings) -> Settings:
    """Apply a parsed YAML document to `base`, validating every key; SettingsError names the first bad one."""
    try:
        return SettingsFile.model_validate(data, context={"kinds": base.kinds}).over(base)
    except ValidationError as error:
        raise settings_error(error) from None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from `environ` (default: the process environment) and `DIBS_CONFIG`."""
    env = os.environ if environ is None else environ
    settings = Settings.model_validate(
        {
            **{field: env.get(name) or None for field, name in ENVIRONMENT.items()},
            "api_url": checked("SLACK_API_URL", _API_URL, env.get("SLACK_API_URL") or DEFAULT_API_URL),
            "database_url": env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        }
    )
    config_path = env.get("DIBS_CONFIG")
    if not config_path:
        return settings
    path = Path(config_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"DIBS_CONFIG: cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"DIBS_CONFIG: {path} is not valid YAML: {exc}") from None
    if data is not None and not isinstance(data, Mapping):
        raise SettingsError(f"DIBS_CONFIG: expected a mapping of keys to values, got {type(data).__name__}")
    return settings_from_yaml(data or {}, settings)

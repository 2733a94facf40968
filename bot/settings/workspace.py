"""A workspace's own values (`/dibs settings`) on top of the settings file's defaults.

Only what makes sense per workspace can be set: its time zone, how it writes dates, working hours and digest
time (routing has `/dibs route`). Values are kept as typed and read by the file's own types, so a
workspace can never hold a value the file would refuse. Pure: no Slack, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from pydantic import TypeAdapter

from bot.settings.model import Settings, WorkingHours, parse_working_hours
from bot.settings.values import WEEKDAYS, Clock, DateOrder, SettingsError, TimeZoneName, checked

# key -> what the value looks like, for the help and for errors
KEYS: dict[str, str] = {
    "timezone": "an IANA name like Europe/Berlin",
    "working_hours": '"09:00-17:00 mon-fri" or always',
    "digest_at": "a time of day like 09:30",
    "date_order": "MDY (1/20 is Jan 20) or DMY (20/1 is Jan 20)",
}
ALIASES = {"digest.at": "digest_at", "hours": "working_hours", "tz": "timezone"}
_TIME_ZONE: TypeAdapter[str] = TypeAdapter(TimeZoneName)
_CLOCK: TypeAdapter[time] = TypeAdapter(Clock)
_DATE_ORDER: TypeAdapter[str] = TypeAdapter(DateOrder)


def setting_key(word: str) -> str:
    """The key `word` names (file spellings like `digest.at` accepted); SettingsError for anything else."""
    key = ALIASES.get(word.lower(), word.lower())
    if key not in KEYS:
        raise SettingsError(f"`{word}` is not a setting a workspace can change; those are {', '.join(KEYS)}")
    return key


def parse_value(key: str, text: str) -> str:
    """The value as it is stored (checked by the file's rules); SettingsError says what is accepted."""
    text = text.strip()
    if key == "timezone":
        return checked(key, _TIME_ZONE, text)
    if key == "working_hours":
        parse_working_hours(text)
        return text
    if key == "digest_at":
        return f"{checked(key, _CLOCK, text):%H:%M}"
    if key == "date_order":
        return checked(key, _DATE_ORDER, text)
    raise SettingsError(f"{key}: not a workspace setting")


def describe(key: str, settings: Settings) -> str:
    """The value of `key` in `settings`, written as a person would set it."""
    if key == "timezone":
        return settings.timezone
    if key == "working_hours":
        return _hours_text(settings.working_hours)
    if key == "date_order":
        return settings.date_order
    return f"{settings.digest.at:%H:%M}"


def _hours_text(hours: WorkingHours) -> str:
    if hours.always:
        return "always"
    return f"{hours.start:%H:%M}-{hours.end:%H:%M} {','.join(WEEKDAYS[d] for d in sorted(hours.days))}"


def merged(base: Settings, values: Mapping[str, str]) -> Settings:
    """`base` (the file's settings) with a workspace's own values applied.

    A stored value that no longer parses (written by an older Dibs, say) is skipped, not fatal:
    the workspace falls back to the file's default for it.
    """
    changes: dict[str, Any] = {}
    for key, text in values.items():
        try:
            if key == "timezone":
                changes["timezone"] = checked(key, _TIME_ZONE, text)
            elif key == "working_hours":
                changes["working_hours"] = parse_working_hours(text)
            elif key == "digest_at":
                changes["digest"] = base.digest.model_copy(update={"at": checked(key, _CLOCK, text)})
            elif key == "date_order":
                changes["date_order"] = checked(key, _DATE_ORDER, text)
        except SettingsError:
            continue
    return base.model_copy(update=changes) if changes else base


def with_phrases(base: Settings, phrases: Mapping[str, tuple[str, ...]]) -> Settings:
    """`base` with the phrases a workspace's admins added to its kinds (`/dibs settings phrase`) after the
    file's; a kind the file no longer has is skipped."""
    kinds = dict(base.kinds)
    for name, added in phrases.items():
        kind = kinds.get(name)
        if kind is not None:
            kinds[name] = kind.model_copy(update={"phrases": tuple(dict.fromkeys((*kind.phrases, *added)))})
    return base.model_copy(update={"kinds": kinds}) if phrases else base

"""A workspace's own values (`/dibs settings`) on top of the settings file's defaults.

Only what makes sense per workspace can be set: its time zone, working hours and digest time
(routing has `/dibs route`). Values are kept as typed and parsed by the file's own rules, so a
workspace can never hold a value the file would refuse. Pure: no Slack, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.settings.model import Settings, SettingsError, WorkingHours
from bot.settings.parse import parse_clock, parse_timezone, parse_working_hours

# key -> what the value looks like, for the help and for errors
KEYS: dict[str, str] = {
    "timezone": "an IANA name like Europe/Berlin",
    "working_hours": '"09:00-17:00 mon-fri" or always',
    "digest_at": "a time of day like 09:30",
}
ALIASES = {"digest.at": "digest_at", "hours": "working_hours", "tz": "timezone"}


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
        return parse_timezone(key, text)
    if key == "working_hours":
        parse_working_hours(text)
        return text
    if key == "digest_at":
        clock = parse_clock(key, text)
        return f"{clock:%H:%M}"
    raise SettingsError(f"{key}: not a workspace setting")


def describe(key: str, settings: Settings) -> str:
    """The value of `key` in `settings`, written as a person would set it."""
    if key == "timezone":
        return settings.timezone
    if key == "working_hours":
        return _hours_text(settings.working_hours)
    return f"{settings.digest.at:%H:%M}"


def _hours_text(hours: WorkingHours) -> str:
    if hours.always:
        return "always"
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return f"{hours.start:%H:%M}-{hours.end:%H:%M} {','.join(names[d] for d in sorted(hours.days))}"


def merged(base: Settings, values: Mapping[str, str]) -> Settings:
    """`base` (the file's settings) with a workspace's own values applied.

    A stored value that no longer parses (written by an older Dibs, say) is skipped, not fatal:
    the workspace falls back to the file's default for it.
    """
    result = base
    for key, text in values.items():
        try:
            if key == "timezone":
                result = replace(result, timezone=parse_timezone(key, text))
            elif key == "working_hours":
                result = replace(result, working_hours=parse_working_hours(text))
            elif key == "digest_at":
                result = replace(result, digest=replace(result.digest, at=parse_clock(key, text)))
        except SettingsError:
            continue
    return result

"""Settings: one frozen object built at start-up from the environment and an optional YAML file."""

from bot.settings.model import (
    DEFAULT_API_URL,
    DEFAULT_DATABASE_URL,
    DEFAULT_KINDS,
    WEEKDAYS,
    DigestSettings,
    FeedSettings,
    Kind,
    NagSettings,
    NomineeSettings,
    Settings,
    SettingsError,
    StaffingSettings,
    StatsSettings,
    WorkingHours,
)
from bot.settings.parse import load_settings, parse_duration, parse_working_hours, settings_from_yaml

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_KINDS",
    "WEEKDAYS",
    "DigestSettings",
    "FeedSettings",
    "Kind",
    "NagSettings",
    "NomineeSettings",
    "Settings",
    "SettingsError",
    "StaffingSettings",
    "StatsSettings",
    "WorkingHours",
    "load_settings",
    "parse_duration",
    "parse_working_hours",
    "settings_from_yaml",
]

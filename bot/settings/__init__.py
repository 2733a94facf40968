"""Settings: one frozen object built at start-up from the environment and an optional YAML file.

The models are pydantic's (model.py, kinds.py); each value's type reads what an admin writes and
refuses the rest with one sentence naming the key (values.py); load.py reads the environment and the file.
"""

from bot.settings.calendars import CalendarSettings
from bot.settings.kinds import DEFAULT_KINDS, MAX_SEATS, Kind
from bot.settings.load import load_settings, settings_from_yaml
from bot.settings.model import (
    DEFAULT_API_URL,
    DEFAULT_DATABASE_URL,
    DigestSettings,
    FeedSettings,
    NagSettings,
    NomineeSettings,
    RetentionSettings,
    Settings,
    StaffingSettings,
    StatsSettings,
    WorkingHours,
    parse_working_hours,
)
from bot.settings.values import WEEKDAYS, SettingsError, parse_duration

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_KINDS",
    "MAX_SEATS",
    "WEEKDAYS",
    "CalendarSettings",
    "DigestSettings",
    "FeedSettings",
    "Kind",
    "NagSettings",
    "NomineeSettings",
    "RetentionSettings",
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

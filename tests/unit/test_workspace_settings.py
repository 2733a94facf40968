"""A workspace's own settings over the file's: which keys, how values are checked and merged; the
environment that turns on many workspaces; feeds that name their workspace."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, WorkingHours, load_settings, settings_from_yaml
from bot.settings.workspace import describe, merged, parse_value, setting_key
from bot.slack.command_parser import parse_command
from bot.slack.commands import ChangeSetting, ShowSettings, UsageError


def test_keys_and_their_file_spellings():
    assert setting_key("timezone") == setting_key("TZ") == "timezone"
    assert setting_key("digest.at") == setting_key("digest_at") == "digest_at"
    assert setting_key("working_hours") == setting_key("hours") == "working_hours"
    with pytest.raises(SettingsError, match="those are timezone, working_hours, digest_at, date_order"):
        setting_key("kinds")


def test_values_are_checked_by_the_files_rules_and_stored_as_written():
    assert parse_value("timezone", " Europe/Berlin ") == "Europe/Berlin"
    assert parse_value("working_hours", "always") == "always"
    assert parse_value("digest_at", "9:05") == "09:05"
    for key, value in (("timezone", "Nowhere/Land"), ("working_hours", "9 to 5"), ("digest_at", "25:00")):
        with pytest.raises(SettingsError, match=key):
            parse_value(key, value)


def test_merged_applies_only_the_workspaces_own_values():
    base = Settings(timezone="UTC")
    here = merged(base, {"timezone": "Asia/Tokyo", "working_hours": "always", "digest_at": "07:45"})
    assert here.timezone == "Asia/Tokyo" and here.working_hours == WorkingHours(always=True)
    assert here.digest.at == time(7, 45) and here.digest.days == base.digest.days
    assert here.nag == base.nag and here.kinds == base.kinds
    assert merged(base, {}) == base


def test_a_stored_value_that_no_longer_parses_falls_back_to_the_files():
    assert merged(Settings(), {"timezone": "Gone/Zone", "digest_at": "10:00"}).timezone == "UTC"


def test_describe_writes_values_as_a_person_would_set_them():
    settings = merged(Settings(), {"working_hours": "08:00-12:30 sat-sun"})
    assert describe("working_hours", settings) == "08:00-12:30 sat,sun"
    assert describe("digest_at", settings) == "09:00"


@pytest.mark.parametrize(
    "text, command",
    [
        ("settings", ShowSettings()),
        ("settings timezone Europe/Berlin", ChangeSetting("timezone", "Europe/Berlin")),
        ("settings working_hours “09:00-17:00 mon-fri”", ChangeSetting("working_hours", "09:00-17:00 mon-fri")),
        ("settings digest.at 09:30", ChangeSetting("digest_at", "09:30")),
        ("settings tz DEFAULT", ChangeSetting("timezone", None)),
    ],
)
def test_settings_commands_parse(text, command):
    assert parse_command(text) == command


@pytest.mark.parametrize("text", ["settings timezone", "settings admins S123", "settings &lt;!channel&gt; x"])
def test_bad_settings_commands_say_how(text):
    with pytest.raises(UsageError):
        parse_command(text)


def test_the_app_credentials_mean_many_workspaces():
    env = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_STATE_SECRET": "t", "SLACK_SIGNING_SECRET": "x"}
    settings = load_settings(env)
    assert (settings.client_id, settings.client_secret, settings.state_secret) == ("1.2", "s", "t")
    assert settings.many_workspaces and settings.redirect_uri is None
    assert not load_settings({**env, "SLACK_BOT_TOKEN": "xoxb-1"}).many_workspaces
    assert not load_settings({}).many_workspaces


def test_feeds_name_their_workspace_when_dibs_serves_many(tmp_path: Path):
    feed = {"url": "https://blog.example.com/comments/feed/", "channel": "C0123ABCD"}
    one = settings_from_yaml({"feeds": [feed]}, Settings(bot_token="xoxb-1"))
    assert one.feeds[0].team is None
    many = Settings(client_id="1.2")
    with pytest.raises(SettingsError, match=r"feeds\[0\]\.team: Dibs serves many workspaces"):
        settings_from_yaml({"feeds": [feed]}, many)
    assert settings_from_yaml({"feeds": [{**feed, "team": "T0ABC"}]}, many).feeds[0].team == "T0ABC"
    with pytest.raises(SettingsError, match="is not a workspace id"):
        settings_from_yaml({"feeds": [{**feed, "team": "acme"}]}, many)

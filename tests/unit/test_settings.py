"""Unit tests of the settings parser: environment, YAML file, durations, working hours, kinds."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_KINDS,
    FeedSettings,
    Kind,
    NagSettings,
    Settings,
    SettingsError,
    WorkingHours,
    load_settings,
    parse_duration,
    parse_working_hours,
    settings_from_yaml,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def config(tmp_path: Path, text: str) -> dict[str, str]:
    """Write `text` as the YAML file and return an environ pointing DIBS_CONFIG at it."""
    path = tmp_path / "dibs.yml"
    path.write_text(text, encoding="utf-8")
    return {"DIBS_CONFIG": str(path)}


def from_yaml(data: dict) -> Settings:
    return settings_from_yaml(data, Settings())


# --- defaults and environment -------------------------------------------------------------


def test_defaults_without_environment_or_file():
    settings = load_settings({})
    assert settings.bot_token is None
    assert settings.signing_secret is None
    assert settings.app_token is None
    assert settings.api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///dibs.db"
    assert settings.timezone == "UTC"
    assert settings.working_hours == WorkingHours(always=False, start=time(9), end=time(17), days=frozenset(range(5)))
    assert settings.claim_reaction == "raising_hand"
    assert settings.done_reaction == "white_check_mark"
    assert list(settings.kinds) == ["event", "blog_comment", "gift_campaign", "gift_followup"]
    assert settings.kinds["event"].slots == 2
    assert settings.kinds["blog_comment"].slots == 1
    assert settings.kinds["gift_campaign"].slots == 1
    assert "trade show" in settings.kinds["event"].keywords
    assert settings.kind("event") is settings.kinds["event"]
    assert settings.kind("nope") is None
    assert settings.nag == NagSettings(
        first_after=timedelta(hours=2), every=timedelta(hours=4), escalate_after=timedelta(days=1)
    )
    assert settings.digest.at == time(9, 0)
    assert settings.digest.quiet_window == timedelta(hours=2)
    assert settings.retry_every == timedelta(minutes=1)
    assert settings.feeds == ()
    assert str(settings.tz) == "UTC"


def test_plain_settings_object_has_the_same_defaults():
    assert Settings() == load_settings({})


def test_defaults_do_not_share_the_kinds_mapping():
    first, second = Settings(), Settings()
    assert first.kinds is not second.kinds
    assert first.kinds is not DEFAULT_KINDS


def test_environment_variables_are_read():
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "shh",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "https://slack-gov.com/api/",
            "DATABASE_URL": "postgresql://u@h/db",
        }
    )
    assert settings.bot_token == "xoxb-1"
    assert settings.signing_secret == "shh"
    assert settings.app_token == "xapp-1"
    assert settings.api_url == "https://slack-gov.com/api/"
    assert settings.database_url == "postgresql://u@h/db"


def test_api_url_gets_a_trailing_slash():
    assert load_settings({"SLACK_API_URL": "http://127.0.0.1:9999/api"}).api_url == "http://127.0.0.1:9999/api/"


def test_empty_environment_values_mean_the_default():
    settings = load_settings({"SLACK_BOT_TOKEN": "", "SLACK_API_URL": "", "DATABASE_URL": "", "DIBS_CONFIG": ""})
    assert settings.bot_token is None
    assert settings.api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///dibs.db"


def test_api_url_that_is_not_a_url_is_an_error():
    with pytest.raises(SettingsError, match="SLACK_API_URL"):
        load_settings({"SLACK_API_URL": "slack.com/api"})


def test_yaml_file_is_applied_on_top_of_the_environment(tmp_path):
    env = config(
        tmp_path,
        """
timezone: Europe/Berlin
working_hours: "09:00-17:00 mon-fri"
nag:
  first_after: 30m
  every: 2h
  escalate_after: 1d
digest:
  at: "08:15"
  quiet_window: 45m
reactions:
  claim: ":eyes:"
  done: heavy_check_mark
retry_every: 30s
feeds:
  - url: https://blog.example/comments.rss
    channel: C0BLOG
""",
    )
    env["SLACK_BOT_TOKEN"] = "xoxb-2"
    settings = load_settings(env)
    assert settings.bot_token == "xoxb-2"
    assert settings.timezone == "Europe/Berlin"
    assert str(settings.tz) == "Europe/Berlin"
    assert settings.working_hours == WorkingHours(
        always=False, start=time(9), end=time(17), days=frozenset({MON, TUE, WED, THU, FRI})
    )
    assert settings.nag == NagSettings(
        first_after=timedelta(minutes=30), every=timedelta(hours=2), escalate_after=timedelta(days=1)
    )
    assert settings.digest.at == time(8, 15)
    assert settings.digest.quiet_window == timedelta(minutes=45)
    assert settings.claim_reaction == "eyes"
    assert settings.done_reaction == "heavy_check_mark"
    assert settings.retry_every == timedelta(seconds=30)
    assert settings.feeds == (FeedSettings(url="https://blog.example/comments.rss", channel="C0BLOG"),)
    assert list(settings.kinds) == ["event", "blog_comment", "gift_campaign", "gift_followup"]


def test_empty_yaml_file_keeps_the_defaults(tmp_path):
    assert load_settings(config(tmp_path, "")) == Settings()


def test_partial_nag_section_keeps_the_other_defaults(tmp_path):
    settings = load_settings(config(tmp_path, "nag:\n  every: 15m\n"))
    assert settings.nag == NagSettings(
        first_after=timedelta(hours=2), every=timedelta(minutes=15), escalate_after=timedelta(days=1)
    )


def test_missing_config_file_names_dibs_config(tmp_path):
    with pytest.raises(SettingsError, match="DIBS_CONFIG") as error:
        load_settings({"DIBS_CONFIG": str(tmp_path / "absent.yml")})
    assert "absent.yml" in str(error.value)


def test_invalid_yaml_names_dibs_config(tmp_path):
    with pytest.raises(SettingsError, match="DIBS_CONFIG") as error:
        load_settings(config(tmp_path, "kinds: [unclosed\n  nag: {\n"))
    assert "not valid YAML" in str(error.value)


def test_yaml_that_is_not_a_mapping_names_dibs_config(tmp_path):
    with pytest.raises(SettingsError, match="DIBS_CONFIG"):
        load_settings(config(tmp_path, "- just\n- a list\n"))


# --- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        (" 45m ", timedelta(minutes=45)),
    ],
)
def test_durations(text, expected):
    assert parse_duration("nag.every", text) == expected


@pytest.mark.parametrize("text", ["2 hours", "0m", "-1h", "abc", "", "1.5h", "15", "h"])
def test_bad_durations_name_the_key(text):
    with pytest.raises(SettingsError) as error:
        parse_duration("nag.every", text)
    assert str(error.value).startswith("nag.every:")
    assert "30s, 15m, 2h or 1d" in str(error.value)


@pytest.mark.parametrize("value", [None, 30, 2.5, ["2h"]])
def test_durations_that_are_not_text_are_errors(value):
    with pytest.raises(SettingsError, match="retry_every"):
        parse_duration("retry_every", value)


@pytest.mark.parametrize("text", ["1000000000d", "99999999999999999999s"])
def test_absurdly_long_durations_are_settings_errors(text):
    # A typo with too many digits must stop start-up with a message naming the key
    # (the CLI only catches SettingsError), not with an OverflowError traceback.
    with pytest.raises(SettingsError) as error:
        parse_duration("nag.every", text)
    assert str(error.value).startswith("nag.every:")


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("nag:\n  every: 2 hours\n", "nag.every"),
        ("nag:\n  every: 1000000000d\n", "nag.every"),
        ("nag:\n  first_after: 0m\n", "nag.first_after"),
        ("nag:\n  escalate_after: -1h\n", "nag.escalate_after"),
        ("retry_every: abc\n", "retry_every"),
        ("digest:\n  quiet_window: 0m\n", "digest.quiet_window"),
        ("digest:\n  quiet_window: off\n", "digest.quiet_window"),
    ],
)
def test_bad_durations_in_the_file_name_their_key(tmp_path, yaml_text, key):
    with pytest.raises(SettingsError) as error:
        load_settings(config(tmp_path, yaml_text))
    assert str(error.value).startswith(f"{key}:")


@pytest.mark.parametrize(("value", "shown"), [("5x", "'5x'"), (0, "0"), ("2 hours", "'2 hours'"), (None, "None")])
def test_a_bad_quiet_window_gets_one_sentence(value, shown):
    with pytest.raises(SettingsError) as error:
        from_yaml({"digest": {"quiet_window": value}})
    assert str(error.value) == (
        f"digest.quiet_window: {shown} is not a duration; write a positive number and a unit: 30s, 15m, 2h or 1d"
    )


# --- working hours ------------------------------------------------------------------------


def test_working_hours_always():
    assert parse_working_hours("always") == WorkingHours(always=True)


def test_working_hours_weekdays():
    hours = parse_working_hours("09:00-17:00 mon-fri")
    assert hours.always is False
    assert (hours.start, hours.end) == (time(9, 0), time(17, 0))
    assert hours.days == frozenset({MON, TUE, WED, THU, FRI})


def test_working_hours_weekend_with_minutes():
    hours = parse_working_hours("08:30-18:00 sat-sun")
    assert (hours.start, hours.end) == (time(8, 30), time(18, 0))
    assert hours.days == frozenset({SAT, SUN})


def test_working_hours_days_default_to_monday_to_friday():
    assert parse_working_hours("10:00-16:00").days == frozenset({MON, TUE, WED, THU, FRI})


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ("fri-mon", {FRI, SAT, SUN, MON}),
        ("sun-tue", {SUN, MON, TUE}),
        ("sat-fri", {SAT, SUN, MON, TUE, WED, THU, FRI}),
        ("wed", {WED}),
        ("mon,wed,fri", {MON, WED, FRI}),
        ("Mon-Tue,Sat", {MON, TUE, SAT}),
    ],
)
def test_working_hours_day_ranges_wrap_round_the_week(days, expected):
    assert parse_working_hours(f"09:00-17:00 {days}").days == frozenset(expected)


@pytest.mark.parametrize(
    "value",
    [
        "9-5",
        "17:00-09:00",
        "09:00-09:00",
        "09:00-17:00 funday",
        "09:00-17:00 mon-",
        "09:00-17:00 mon-wed-fri",
        "25:00-26:00",
        "09:00-17:60",
        "09:00",
        "09:00-17:00 mon-fri extra",
        "",
        "never",
        9,
        None,
    ],
)
def test_bad_working_hours_name_the_key(value):
    with pytest.raises(SettingsError) as error:
        parse_working_hours(value)
    assert str(error.value).startswith("working_hours:")


def test_working_hours_from_the_file(tmp_path):
    settings = load_settings(config(tmp_path, 'working_hours: "08:30-18:00 sat-sun"\n'))
    assert settings.working_hours.days == frozenset({SAT, SUN})
    with pytest.raises(SettingsError, match=r"^working_hours:"):
        load_settings(config(tmp_path, 'working_hours: "17:00-09:00"\n'))


# --- unknown keys -------------------------------------------------------------------------


def test_unknown_top_level_key_is_named(tmp_path):
    with pytest.raises(SettingsError) as error:
        load_settings(config(tmp_path, "timezone: UTC\nworkinghours: always\n"))
    message = str(error.value)
    assert message.startswith("workinghours:")
    assert "unknown setting" in message
    assert "working_hours" in message  # the accepted keys are listed


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"nag": {"evry": "2h"}}, "nag.evry"),
        ({"digest": {"time": "09:00"}}, "digest.time"),
        ({"reactions": {"claimed": "eyes"}}, "reactions.claimed"),
        ({"kinds": {"event": {"slot": 3}}}, "kinds.event.slot"),
    ],
)
def test_unknown_nested_key_is_named(data, key):
    with pytest.raises(SettingsError) as error:
        from_yaml(data)
    assert str(error.value).startswith(f"{key}:")
    assert "unknown setting" in str(error.value)


# The sentences exactly as Dibs has always written them (the key path, a colon, what is accepted).
@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({"nag": "2h"}, "nag: expected a mapping of keys to values, got str"),
        (
            {"nag": {"evry": "2h"}},
            "nag.evry: unknown setting; accepted keys are coalesce_over, dm_poster_after, due_reminders,"
            " escalate_after, every, first_after, max_pings_per_day, stale_claim_after",
        ),
        (
            {"nag": {"due_reminders": "1d"}},
            "nag.due_reminders: expected a list of durations before the due date, like [3d, 1d]",
        ),
        (
            {"nag": {"max_pings_per_day": 0}},
            "nag.max_pings_per_day: 0 is not accepted; use a whole number from 1 to 100",
        ),
        ({"digest": {"at": "9am"}}, "digest.at: '9am' is not a time of day; write it like 09:00"),
        (
            {"digest": {"days": "funday"}},
            "digest.days: 'funday' has an unknown day; use mon, tue, wed, thu, fri, sat, sun",
        ),
        ({"digest": {"when_empty": "never"}}, "digest.when_empty: 'never' is not accepted; use one_line or skip"),
        ({"working_hours": "17:00-09:00"}, "working_hours: the end 09:00 must come after the start 17:00"),
        (
            {"kinds": {"event": {"slot": 3}}},
            "kinds.event.slot: unknown setting; accepted keys are claimers, done_needs_link, emoji, keywords,"
            " label, owner_group, phrases, question, roles, rotation, slots",
        ),
        (
            {"kinds": {"event": {"roles": {"lead": 0}}}},
            "kinds.event.roles.lead: 0 is not accepted; use a whole number from 1 to 50",
        ),
        (
            {"kinds": {"event": {"roles": {"Lead": 1}}}},
            "kinds.event.roles: 'Lead' is not a role name; use lower-case letters, digits and _, like staff",
        ),
        (
            {"kinds": {"webinar": {"slots": 2}}},
            "kinds.webinar.keywords: a new kind needs keywords or phrases to recognise its posts",
        ),
        (
            {"kinds": {"event": {"owner_group": "marketing"}}},
            "kinds.event.owner_group: 'marketing' is not a user group id; use an id like S0123ABCD",
        ),
        (
            {"feeds": [{"url": "blog", "channel": "C0123"}]},
            "feeds[0].url: 'blog' is not a feed address; write it like https://blog.example.com/comments/feed/",
        ),
        (
            {"feeds": [{"url": "https://blog.example/rss", "channel": "C0123", "kind": "press"}]},
            "feeds[0].kind: 'press' is not a kind; kinds are blog_comment, event, gift_campaign, gift_followup",
        ),
        (
            {"feeds": [{"url": "https://blog.example/rss", "channel": "C0123", "every": "30s"}]},
            "feeds[0].every: poll at most once a minute (1m or more)",
        ),
        ({"accept_bots": ["U0123"]}, "accept_bots: expected a list of bot ids (B0123ABC) or app ids (A0123ABC)"),
        (
            {"roster": {"before": "soon"}},
            "roster.before: 'soon' is not a duration; write a positive number and a unit: 30s, 15m, 2h or 1d",
        ),
        ({"reactions": {"claim": "eyes", "done": ":eyes:"}}, "reactions: claim and done must be different emoji"),
    ],
)
def test_bad_values_get_one_sentence(data, sentence):
    with pytest.raises(SettingsError) as error:
        from_yaml(data)
    assert str(error.value) == sentence


def test_section_that_is_not_a_mapping_is_named():
    with pytest.raises(SettingsError, match=r"^nag:"):
        from_yaml({"nag": "2h"})


# --- kinds --------------------------------------------------------------------------------


def test_override_keywords_and_slots_of_a_default_kind(tmp_path):
    settings = load_settings(config(tmp_path, "kinds:\n  event:\n    keywords: [Booth, Summit]\n    slots: 3\n"))
    event = settings.kinds["event"]
    assert event.keywords == ("booth", "summit")
    assert event.slots == 3
    assert event.question == DEFAULT_KINDS["event"].question  # untouched fields are kept
    assert settings.kinds["blog_comment"] == DEFAULT_KINDS["blog_comment"]
    assert list(settings.kinds) == ["event", "blog_comment", "gift_campaign", "gift_followup"]
    assert DEFAULT_KINDS["event"].slots == 2  # the defaults themselves are not changed


def test_add_a_new_kind(tmp_path):
    settings = load_settings(
        config(
            tmp_path,
            """
kinds:
  press_mention:
    keywords: [press, "featured in"]
    owner_group: S0123ABCD
    question: Who will share this?
    done_needs_link: true
""",
        )
    )
    assert list(settings.kinds) == ["event", "blog_comment", "gift_campaign", "gift_followup", "press_mention"]
    assert settings.kinds["press_mention"] == Kind(
        name="press_mention",
        keywords=("press", "featured in"),
        slots=1,
        owner_group="S0123ABCD",
        question="Who will share this?",
        done_needs_link=True,
    )


def test_done_needs_link_on_a_default_kind():
    settings = from_yaml({"kinds": {"gift_campaign": {"done_needs_link": True}}})
    assert settings.kinds["gift_campaign"].done_needs_link is True
    assert settings.kinds["gift_campaign"].keywords == DEFAULT_KINDS["gift_campaign"].keywords
    assert settings.kinds["event"].done_needs_link is False


@pytest.mark.parametrize("slots", [0, "two", -1, 51, 1.5, True])
def test_bad_slots_are_named(slots):
    with pytest.raises(SettingsError) as error:
        from_yaml({"kinds": {"event": {"slots": slots}}})
    assert str(error.value).startswith("kinds.event.slots:")


def test_slots_at_the_limits_are_accepted():
    assert from_yaml({"kinds": {"event": {"slots": 1}}}).kinds["event"].slots == 1
    assert from_yaml({"kinds": {"event": {"slots": 50}}}).kinds["event"].slots == 50


@pytest.mark.parametrize("group", ["marketing", "s0123abcd", "U0123ABCD", 12])
def test_bad_owner_group_is_named(group):
    with pytest.raises(SettingsError) as error:
        from_yaml({"kinds": {"event": {"owner_group": group}}})
    assert str(error.value).startswith("kinds.event.owner_group:")


def test_new_kind_without_keywords_is_an_error():
    with pytest.raises(SettingsError, match=r"^kinds\.webinar_followup\.keywords:"):
        from_yaml({"kinds": {"webinar_followup": {"slots": 2}}})
    with pytest.raises(SettingsError, match=r"^kinds\.webinar_followup\.keywords:"):
        from_yaml({"kinds": {"webinar_followup": None}})


def test_a_kind_may_have_phrases_instead_of_keywords():
    settings = from_yaml({"kinds": {"press": {"phrases": ["Featured  in", "wrote about us"]}}})
    assert settings.kinds["press"].phrases == ("featured in", "wrote about us")
    assert settings.kinds["press"].keywords == ()
    assert from_yaml({"kinds": {"blog_comment": {"phrases": []}}}).kinds["blog_comment"].phrases == ()
    with pytest.raises(SettingsError, match=r"^kinds\.press\.phrases:"):
        from_yaml({"kinds": {"press": {"phrases": "featured in"}}})


@pytest.mark.parametrize("words", [[], "booth", [""], ["  "], [3]])
def test_bad_keywords_are_named(words):
    with pytest.raises(SettingsError, match=r"^kinds\.event\.keywords:"):
        from_yaml({"kinds": {"event": {"keywords": words}}})


@pytest.mark.parametrize("value", ["maybe", 1, None])
def test_done_needs_link_must_be_true_or_false(value):
    with pytest.raises(SettingsError, match=r"^kinds\.event\.done_needs_link:"):
        from_yaml({"kinds": {"event": {"done_needs_link": value}}})


@pytest.mark.parametrize("name", ["Trade-Show", "trade show", "1st", "x" * 40])
def test_bad_kind_names_are_named(name):
    with pytest.raises(SettingsError) as error:
        from_yaml({"kinds": {name: {"keywords": ["expo"]}}})
    assert str(error.value).startswith(f"kinds.{name}:")


def test_empty_question_is_an_error():
    with pytest.raises(SettingsError, match=r"^kinds\.event\.question:"):
        from_yaml({"kinds": {"event": {"question": "  "}}})


# --- time zone, reactions, digest, feeds --------------------------------------------------


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "not a zone", "../etc/passwd"])
def test_bad_timezone_is_named(zone):
    with pytest.raises(SettingsError) as error:
        from_yaml({"timezone": zone})
    assert str(error.value).startswith("timezone:")
    assert "IANA" in str(error.value)


def test_same_reaction_for_claim_and_done_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match=r"^reactions:"):
        load_settings(config(tmp_path, "reactions:\n  claim: eyes\n  done: eyes\n"))
    with pytest.raises(SettingsError, match=r"^reactions:"):
        load_settings(config(tmp_path, "reactions:\n  claim: white_check_mark\n"))
    with pytest.raises(SettingsError, match=r"^reactions:"):
        from_yaml({"reactions": {"claim": ":eyes:", "done": "eyes"}})


@pytest.mark.parametrize("emoji", ["raising hand", "", 5, "<script>"])
def test_bad_reaction_names_are_named(emoji):
    with pytest.raises(SettingsError, match=r"^reactions\.claim:"):
        from_yaml({"reactions": {"claim": emoji}})


def test_bad_digest_time_is_named():
    with pytest.raises(SettingsError, match=r"^digest\.at:"):
        from_yaml({"digest": {"at": "9am"}})


def test_feeds_must_be_a_list_of_mappings():
    with pytest.raises(SettingsError, match=r"^feeds:"):
        from_yaml({"feeds": "https://blog.example/rss"})
    assert from_yaml({"feeds": None}).feeds == ()


def test_an_unquoted_digest_time_is_read_as_the_clock_time_meant(tmp_path):
    # YAML 1.1 reads `at: 10:30` as the sexagesimal number 630.
    assert load_settings(config(tmp_path, "digest:\n  at: 10:30\n")).digest.at == time(10, 30)


def test_stats_nominee_and_rotation_settings():
    parsed = settings_from_yaml(
        {
            "stats": {"chart": False},
            "nominee": {"skip_status": [":palm_tree:", "sick"], "lookback": "14d"},
            "kinds": {"event": {"rotation": "fair"}, "blog_comment": {"rotation": "none"}},
        },
        Settings(),
    )
    assert parsed.stats.chart is False
    assert parsed.nominee.skip_status == frozenset({"palm_tree", "sick"}) and parsed.nominee.lookback == timedelta(
        days=14
    )
    assert parsed.kinds["event"].rotation == "fair" and parsed.kinds["blog_comment"].rotation is None
    assert Settings().stats.chart is True and Settings().kinds["event"].rotation is None


@pytest.mark.parametrize(
    "data, key",
    [
        ({"stats": {"chart": "yes"}}, "stats.chart"),
        ({"stats": {"charts": True}}, "stats.charts"),
        ({"nominee": {"skip_status": "palm_tree"}}, "nominee.skip_status"),
        ({"nominee": {"skip_status": ["not an emoji!"]}}, "nominee.skip_status"),
        ({"nominee": {"lookback": "soon"}}, "nominee.lookback"),
        ({"kinds": {"event": {"rotation": "round_robin"}}}, "kinds.event.rotation"),
    ],
)
def test_bad_stats_and_nominee_settings_are_named(data, key):
    with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
        settings_from_yaml(data, Settings())

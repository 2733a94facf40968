"""Who is away (bot/staffing/availability.py): status emoji and words, expiry, Do Not Disturb, working hours where
a person is; and the `availability:` settings. Time is frozen with freezegun; `now` is read from the frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from freezegun import freeze_time

from bot.settings import Settings, SettingsError, WorkingHours, settings_from_yaml
from bot.staffing.availability import Away, AwayRules, Presence, away

FRIDAY = "2026-12-04 10:00:00"  # a Friday, 10:00 UTC


def now() -> datetime:
    return datetime.now(UTC)


def rules(**availability: object) -> AwayRules:
    settings = Settings()
    if availability:
        settings = settings_from_yaml({"availability": availability}, settings)
    return AwayRules.of(settings)


@freeze_time(FRIDAY)
@pytest.mark.parametrize(
    "emoji, text",
    [
        (":palm_tree:", ""),
        ("palm_tree", "Back soon"),
        (":airplane:", ""),
        (":face_with_thermometer:", ""),
        (":baby::skin-tone-2:", ""),
        ("", "Out of office"),
        ("", "out-of-office, back Monday"),
        ("", "OOO till Mon"),
        ("", "On VACATION"),
        ("", "holiday in Rome"),
        ("", "Sick today"),
        ("", "parental leave until March"),
    ],
)
def test_a_status_with_an_away_emoji_or_words_is_away(emoji, text):
    assert away(Presence(status_emoji=emoji, status_text=text), now(), rules()) == Away("out of office")


@freeze_time(FRIDAY)
@pytest.mark.parametrize(
    "emoji, text",
    [("", ""), (":coffee:", "In a meeting"), ("", "Looking after the sickbay"), ("", "Booking holidays"),
     ("", "Zoom"), (":palm:", "")],
)  # fmt: skip
def test_other_statuses_are_not_away(emoji, text):
    assert away(Presence(status_emoji=emoji, status_text=text), now(), rules()) is None


@freeze_time(FRIDAY)
def test_nothing_known_is_present():
    assert away(None, now(), rules()) is None
    assert away(Presence(), now(), rules()) is None


def test_a_status_counts_until_it_expires():
    with freeze_time(FRIDAY) as frozen:
        monday = now() + timedelta(days=3)
        person = Presence(status_emoji=":palm_tree:", status_expiration=monday)
        assert away(person, now(), rules()).words == "out of office until Mon"
        soon = Presence(status_text="OOO", status_expiration=now() + timedelta(hours=5))
        assert away(soon, now(), rules()).words == "out of office until 15:00"
        later = Presence(status_text="OOO", status_expiration=now() + timedelta(days=17))
        assert away(later, now(), rules()).words == "out of office until Mon 21 Dec"
        frozen.tick(timedelta(days=3))
        assert away(person, now(), rules()) is None  # expired at that very moment
        assert away(soon, now(), rules()) is None


@freeze_time(FRIDAY)
def test_until_reads_in_the_workspaces_time_zone():
    tokyo = settings_from_yaml({"timezone": "Asia/Tokyo"}, Settings())
    person = Presence(status_emoji=":airplane:", status_expiration=now() + timedelta(hours=5))  # 15:00 UTC
    assert away(person, now(), AwayRules.of(tokyo)).words == "out of office until Sat"  # 00:00 on Saturday there


def test_do_not_disturb_counts_within_its_span():
    with freeze_time(FRIDAY) as frozen:
        start, end = now() + timedelta(hours=1), now() + timedelta(hours=5)
        person = Presence(dnd_enabled=True, dnd_start=start, dnd_end=end)
        assert away(person, now(), rules()) is None  # not yet
        frozen.tick(timedelta(hours=2))
        assert away(person, now(), rules()) == Away("on Do Not Disturb", "15:00")
        assert away(person, now(), rules()).words == "on Do Not Disturb until 15:00"
        frozen.tick(timedelta(hours=3))
        assert away(person, now(), rules()) is None  # over
        assert away(Presence(dnd_enabled=False, dnd_start=start, dnd_end=end), now(), rules()) is None
        assert away(Presence(dnd_enabled=True), now(), rules()).words == "on Do Not Disturb"


def test_working_hours_where_they_are_only_when_respected():
    with freeze_time("2026-12-04 13:10:00"):  # Friday 22:10 in Tokyo, 14:10 in Berlin
        tokyo, berlin = Presence(tz="Asia/Tokyo"), Presence(tz="Europe/Berlin")
        assert away(tokyo, now(), rules()) is None  # respect_local_hours: false (the default)
        local = rules(respect_local_hours=True)
        found = away(tokyo, now(), local)
        assert found == Away("outside their working hours", local="22:10 in Tokyo")
        assert found.words == "outside their working hours (22:10 in Tokyo)"
        assert found.to_them == "outside your working hours"
        assert away(berlin, now(), local) is None
        assert away(Presence(tz="America/Argentina/Buenos_Aires"), now(), local) is None  # 10:10 there
        assert away(Presence(tz="Nowhere/Atlantis"), now(), local) is None  # an unknown zone: not away
        assert away(Presence(), now(), local) is None  # no zone known
    with freeze_time("2026-12-05 10:00:00"):  # Saturday everywhere
        assert away(Presence(tz="Europe/Berlin"), now(), rules(respect_local_hours=True)).local == "11:00 in Berlin"


@freeze_time("2026-12-05 03:00:00")
def test_working_hours_always_never_makes_anyone_away():
    settings = settings_from_yaml({"working_hours": "always", "availability": {"respect_local_hours": True}},
                                  Settings())  # fmt: skip
    assert AwayRules.of(settings).hours is None
    assert away(Presence(tz="Asia/Tokyo"), now(), AwayRules.of(settings)) is None


@freeze_time(FRIDAY)
def test_a_status_comes_before_do_not_disturb_and_hours():
    person = Presence(status_text="Vacation", dnd_enabled=True, tz="Asia/Tokyo")
    assert away(person, now(), rules(respect_local_hours=True)).why == "out of office"
    assert away(Presence(dnd_enabled=True, tz="Asia/Tokyo"), now(), rules()).why == "on Do Not Disturb"


@freeze_time(FRIDAY)
def test_the_away_statuses_are_the_admins_and_skip_status_counts_too():
    mine = rules(away_statuses=[":no_entry:", "Conference"])
    assert away(Presence(status_emoji=":no_entry:"), now(), mine) is not None
    assert away(Presence(status_text="At a conference"), now(), mine) is not None
    assert away(Presence(status_text="Out of office"), now(), mine) is None  # not listed any more
    assert away(Presence(status_emoji=":palm_tree:"), now(), mine) is not None  # nominee.skip_status's default
    older = settings_from_yaml({"nominee": {"skip_status": ["beach_with_umbrella"]}}, Settings())
    assert away(Presence(status_emoji=":beach_with_umbrella:"), now(), AwayRules.of(older)) is not None
    assert away(Presence(status_emoji=":palm_tree:"), now(), AwayRules.of(older)) is not None  # the defaults too


def test_the_settings_read_emoji_and_words():
    written = yaml.safe_load('availability:\n  away_statuses: [":palm_tree:", sick_day, Out of office]\n'
                             "  respect_local_hours: true\n")  # fmt: skip
    chosen = settings_from_yaml(written, Settings()).availability
    assert chosen.emoji == {"palm_tree", "sick_day"} and chosen.words == ("Out of office",)
    assert chosen.respect_local_hours is True
    defaults = Settings().availability
    assert defaults.emoji == {"palm_tree", "airplane", "face_with_thermometer", "baby"}
    assert "parental leave" in defaults.words and defaults.respect_local_hours is False
    assert settings_from_yaml({"working_hours": "09:00-17:00"}, Settings()).working_hours == WorkingHours()


@pytest.mark.parametrize(
    "written, said",
    [
        ({"away_statuses": "OOO"}, "expected a list of emoji and words"),
        ({"away_statuses": [{":palm_tree": None}]}, 'write an emoji in quotes like ":palm_tree:"'),
        ({"away_statuses": [""]}, "is not accepted"),
        ({"away_statuses": [":not an emoji:"]}, "is not an emoji name"),
        ({"respect_local_hours": "yes"}, "use true or false"),
        ({"away_emoji": ["x"]}, "away_emoji"),
    ],
)
def test_bad_availability_settings_are_refused_with_one_sentence(written, said):
    with pytest.raises(SettingsError, match="availability") as refused:
        settings_from_yaml({"availability": written}, Settings())
    assert said in str(refused.value)

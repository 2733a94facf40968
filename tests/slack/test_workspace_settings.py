"""`/dibs settings`: each workspace's own time zone, working hours and digest time over the file's,
and the scheduler keeping each workspace's own clock (in-process, both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from bot.digest.plan import plan_digests
from bot.reminders.planning import plan_nags
from bot.settings import DigestSettings
from store.models import Task, WorkspaceSetting, utcnow
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import BOOTH, nags
from tests.support.installs import OAUTH, install, serving
from tests.support.payloads import message_event

HERE, THERE = "T111", "T222"


def next_weekday(weekday: int, hour: int) -> datetime:
    """The next `weekday` (0 = Monday) at `hour`:00 UTC, at least a day from now."""
    start = utcnow() + timedelta(days=1)
    day = start.date() + timedelta(days=(weekday - start.weekday()) % 7)
    return datetime.combine(day, time(hour), tzinfo=UTC)


@pytest.fixture
def bot(settings):
    b = make_dibs(settings, digest=DigestSettings(days=frozenset(range(7))))
    yield b
    b.shutdown()


@pytest.fixture
def slack(bot):
    return sender_for(bot)


@pytest.fixture
def both(settings, fake):
    """A Dibs installed in HERE and THERE through the OAuth flow (with one bot token, THERE would be refused)."""
    b = make_dibs(settings, bot_token=None, digest=DigestSettings(days=frozenset(range(7))), **OAUTH)
    with serving(b.wsgi()) as base:
        for team in (HERE, THERE):
            assert install(base, fake, team).status == 200
    yield b, sender_for(b)
    b.shutdown()


def test_settings_show_the_files_values_until_a_workspace_sets_its_own(both):
    _, slack = both
    shown = slack.command("settings").body
    assert "`timezone`: UTC (the settings file's)" in shown
    assert "`working_hours`: 09:00-17:00 mon,tue,wed,thu,fri (the settings file's)" in shown
    assert "`digest_at`: 09:00 (the settings file's)" in shown
    answer = slack.command('settings working_hours "08:30-16:00 mon-thu"', user="U5").body
    assert answer == "`working_hours` is 08:30-16:00 mon,tue,wed,thu in this workspace from now on."
    shown = slack.command("settings").body
    assert "`working_hours`: 08:30-16:00 mon,tue,wed,thu (set here by <@U5> on " in shown
    assert "`timezone`: UTC (the settings file's)" in shown
    # Another workspace on the same Dibs still has the file's.
    assert "`working_hours`: 09:00-17:00" in slack.command("settings", team=THERE).body
    back = slack.command("settings working_hours default").body
    assert back == "`working_hours` is the settings file's again: 09:00-17:00 mon,tue,wed,thu,fri."
    assert "was not set here" in slack.command("settings working_hours default").body


@pytest.mark.parametrize(
    "text, answer",
    [
        ("settings timezone Mars/Olympus", "timezone: 'Mars/Olympus' is not a time zone"),
        ("settings working_hours 17:00-09:00", "the end 09:00 must come after the start 17:00"),
        ("settings digest_at noon", "digest_at: 'noon' is not a time of day"),
    ],
)
def test_a_bad_value_says_what_is_accepted_and_changes_nothing(bot, slack, text, answer):
    reply = slack.command(text).body
    assert answer in reply and reply.endswith("Nothing changed.")
    with bot.db() as session:
        assert session.scalars(select(WorkspaceSetting)).all() == []


def test_an_unknown_setting_gets_one_sentence_naming_those_there_are(slack):
    reply = slack.command("settings colour red").body
    assert reply == (
        "`colour` is not a setting a workspace can change; those are timezone, working_hours, digest_at, date_order."
    )


def test_only_the_admins_group_may_change_settings_when_there_is_one(settings, fake):
    bot = make_dibs(settings, admins="S0ADMINS")
    try:
        bot.services.admins.set_members(HERE, ["UADMIN"])
        slack = sender_for(bot)
        refused = slack.command("settings timezone Europe/Berlin", user="U9").body
        assert refused.startswith("Only members of <!subteam^S0ADMINS> can change")
        assert "`timezone`: UTC" in slack.command("settings", user="U9").body  # looking is for all
        assert "Europe/Berlin" in slack.command("settings timezone Europe/Berlin", user="UADMIN").body
    finally:
        bot.shutdown()


def test_each_workspace_is_reminded_within_its_own_working_hours(both, fake):
    bot, slack = both
    for team in (HERE, THERE):
        slack.command("watch", user="UADMIN", team=team, channel=f"C{team}")
        slack.event(message_event(BOOTH, channel=f"C{team}"), team=team)
    slack.command("settings working_hours always", team=THERE)
    saturday_night = next_weekday(5, 3)
    with bot.db.begin() as session:
        session.execute(update(Task).values(next_nag_at=saturday_night))
    plan_nags(bot.services, saturday_night)
    bot.deliver(saturday_night)
    [reminded] = nags(fake)
    assert reminded.params["channel"] == f"C{THERE}"  # always: any hour will do
    with bot.db() as session:
        waiting = session.scalars(select(Task).where(Task.team_id == HERE)).one()
    monday_morning = saturday_night + timedelta(days=2, hours=6)  # 09:00 UTC, the file's working hours
    assert waiting.next_nag_at == monday_morning


def test_each_workspace_gets_its_digest_at_its_own_time_in_its_own_time_zone(both, fake):
    bot, slack = both
    for team in (HERE, THERE):
        slack.command("watch", user="UADMIN", team=team, channel=f"C{team}")
    slack.command("settings timezone America/Los_Angeles", team=THERE)
    slack.command("settings digest_at 08:30", team=THERE)
    wednesday = next_weekday(2, 10)  # 10:00 UTC: after 09:00 here, before dawn in Los Angeles
    fake.clear()
    assert plan_digests(bot.services, wednesday) == 1
    bot.deliver(wednesday)
    assert [c.params["channel"] for c in fake.calls("chat.postMessage")] == [f"C{HERE}"]
    afternoon = wednesday + timedelta(hours=6, minutes=30)  # 16:30 UTC = 08:30 or 09:30 in Los Angeles
    assert plan_digests(bot.services, afternoon) == 1
    bot.deliver(afternoon)
    assert [c.params["channel"] for c in fake.calls("chat.postMessage")] == [f"C{HERE}", f"C{THERE}"]
    assert plan_digests(bot.services, afternoon + timedelta(hours=1)) == 0  # one a day each


def test_a_new_time_zone_plans_the_workspaces_due_dates_again(bot, slack, fake):
    slack.command("watch", user="UADMIN")
    slack.event(message_event(BOOTH))
    due = (utcnow() + timedelta(days=20)).date()
    slack.command(f"due 1 {due}", user="U111")
    with bot.db() as session:
        planned = session.scalars(select(Task.next_due_at)).one()
    assert planned is not None and planned > utcnow() + timedelta(days=10)
    slack.command("settings timezone Asia/Tokyo")
    with bot.db() as session:
        assert session.scalars(select(Task.next_due_at)).one() <= utcnow()  # the next tick plans it anew
    bot.tick(utcnow())
    with bot.db() as session:
        replanned = session.scalars(select(Task.next_due_at)).one()
    assert replanned == planned - timedelta(hours=9)  # 09:00 in Tokyo comes nine hours before 09:00 UTC

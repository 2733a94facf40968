"""Who is away, over the Slack protocol on SQLite and PostgreSQL: the nominee skips whoever is away and says why,
Slack is read at most hourly a person (users.info) and in one call for Do Not Disturb (dnd.teamInfo), a
`user_change` event updates the row with no call, an offer passes over someone away to the next in line, and
they hear of it once back (from the event, or from the background job)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.settings import DEFAULT_KINDS, NagSettings, WorkingHours
from bot.staffing.presence import refresh_people
from store.models import AwayNotice, Claim, Person, TaskEvent, utcnow
from tests.conftest import make_dibs, sender_for
from tests.slack.test_nominee import GROUP, a_day_later, dms, escalate, history, in_dm
from tests.support.helpers import last_update, open_task
from tests.support.payloads import message_event, reaction_event


@pytest.fixture
def fair(settings, fake):
    fair = DEFAULT_KINDS["event"].model_copy(update={"slots": 1, "owner_group": GROUP, "rotation": "fair"})
    b = make_dibs(settings, working_hours=WorkingHours(always=True), kinds={**DEFAULT_KINDS, "event": fair},
                  nag=NagSettings(max_pings_per_day=3))  # fmt: skip
    fake.set_group(GROUP, ["U1", "U2", "U3", "U4", "U111"])
    yield b
    b.shutdown()


@pytest.fixture
def fair_slack(fair):
    return sender_for(fair)


def user_change(user: str, emoji: str = "", text: str = "", expires: int = 0, tz: str = "Europe/Berlin") -> dict:
    profile = {"status_emoji": emoji, "status_text": text, "status_expiration": expires}
    return {"type": "user_change", "event_ts": "1.2",
            "user": {"id": user, "team_id": "T111", "tz": tz, "name": user.lower(), "profile": profile}}  # fmt: skip


def actions(bot, task_id: int) -> list[tuple[str, str, str | None]]:
    with bot.db() as session:
        rows = session.scalars(select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id))
        return [(e.action, e.actor, e.detail) for e in rows]


def test_the_nominee_skips_do_not_disturb_says_why_and_reads_slack_at_most_hourly(fair, fair_slack, fake):
    bot, slack = fair, fair_slack
    history(slack, fake)  # U1 took three follow-ups, U3 one; U2 and U4 none
    slack.event(message_event("Booth at the Fall Fair: who staffs it?"))  # #5, posted by U111
    later = a_day_later()
    fake.set_dnd("U2", utcnow() - timedelta(hours=1), later + timedelta(hours=3))  # now, and when asked
    fake.set_status("U4", ":palm_tree:", "Vacation", expires=later - timedelta(minutes=1))  # over by then
    fake.set_status("U3", "", "OOO <!channel>")  # typed by a person: never echoed
    escalate(bot)
    [ask] = dms(fake, "U4")
    assert "the last 30 days (0); <@U2> is on Do Not Disturb until " in ask.params["text"]
    [dnd] = fake.calls("dnd.teamInfo")  # one call for all the candidates
    assert sorted(dnd.params["users"].split(",")) == ["U1", "U2", "U3", "U4"]  # never the poster
    assert sorted(c.params["user"] for c in fake.calls("users.info")) == ["U2", "U4"]  # until someone was found
    [skipped] = [e for e in actions(bot, 5) if e[0] == "skipped"]
    assert skipped[1] == "U2" and skipped[2].startswith("<@U2> is on Do Not Disturb until ")
    thread = last_update(fake)  # the thread says who was away (their status, edited in: nobody is pinged)
    assert "Dibs asked <@U4> privately whether they can take it; <@U2> is on Do Not Disturb until " in thread
    assert "<!channel>" not in thread and "OOO" not in thread

    slack.interactive(in_dm("dibs_nominee_pass", 5, "U4"))  # U3 is out of office, U1 is asked
    [ask1] = dms(fake, "U1")
    assert "(3); <@U2> is on Do Not Disturb" in ask1.params["text"] and "<@U3> is out of office." in ask1.params["text"]
    assert "<!channel>" not in ask1.params["text"] and "OOO" not in ask1.params["text"]
    assert len(fake.calls("dnd.teamInfo")) == 1  # read within the hour: kept
    assert sorted(c.params["user"] for c in fake.calls("users.info")) == ["U1", "U2", "U3", "U4"]


def test_without_dnd_read_nobody_counts_as_on_it_and_a_rate_limit_waits(fair, fair_slack, fake):
    history(fair_slack, fake)
    fair_slack.event(message_event("Booth at the Fall Fair: who staffs it?"))
    fake.without_scope("dnd:read")  # installed before Dibs asked for it
    fake.set_dnd("U2", utcnow() - timedelta(hours=1), a_day_later() + timedelta(hours=3))
    fake.fail_next("users.info", status=429, retry_after=0)
    escalate(fair)  # the question waits: users.info said 429
    escalate(fair)
    assert len(dms(fake, "U2")) == 1  # asked: Do Not Disturb could not be read
    assert [c.status for c in fake.calls("users.info") if c.params["user"] == "U2"] == [429, 200]
    assert not [e for e in actions(fair, 5) if e[0] == "skipped"]


def test_a_user_change_event_updates_the_row_with_no_call(dibs, slack, fake):
    assert slack.event(user_change("U7", ":airplane:", "Flying to Lisbon", 1_900_000_000, "Asia/Tokyo")).status == 200
    with dibs.db() as session:
        row = session.get(Person, ("T111", "U7"))
        assert (row.status_emoji, row.status_text, row.tz) == (":airplane:", "Flying to Lisbon", "Asia/Tokyo")
        assert row.status_expiration.timestamp() == 1_900_000_000 and row.profile_read_at is not None
    slack.event(user_change("U7"))  # the status cleared
    with dibs.db() as session:
        row = session.get(Person, ("T111", "U7"))
        assert (row.status_emoji, row.status_text, row.status_expiration) == (None, None, None)
    assert not fake.calls("users.info")


def test_an_offer_passes_over_someone_away_who_hears_of_it_once_back(dibs, slack, fake):
    post, _ = open_task(slack, fake)  # an event, two seats
    for user in ("U1", "U2", "U3", "U4"):
        slack.event(reaction_event("reaction_added", user, post["ts"]))
    slack.event(user_change("U3", ":palm_tree:", "Back Monday"))
    slack.event(reaction_event("reaction_removed", "U1", post["ts"]))
    assert "offered to <@U4> until" in last_update(fake) and "Waitlist:* <@U3>" in last_update(fake)
    assert [c for c in dms(fake, "U4") if "held for you" in c.params["text"]] and not dms(fake, "U3")
    assert ("passed_over", "U3", "out of office") in actions(dibs, 1)
    with dibs.db() as session:
        [notice] = session.scalars(select(AwayNotice)).all()
        assert (notice.user_id, notice.task_id, notice.what, notice.told_at) == ("U3", 1, "out of office", None)
        waiting = session.scalars(select(Claim).where(Claim.user_id == "U3")).one()
        assert waiting.role == "waiting"  # still in line

    slack.event(user_change("U3", ":palm_tree:", "Still away"))  # still away: nothing said
    assert not dms(fake, "U3")
    slack.event(user_change("U3"))  # back
    [back] = dms(fake, "U3")
    assert back.params["text"].startswith("While you were out of office, the open seat on #1 ")
    assert back.params["text"].endswith("went to the next in line. You are still on its waitlist.")
    slack.event(user_change("U3"))
    assert len(dms(fake, "U3")) == 1  # told once
    with dibs.db() as session:
        assert session.scalars(select(AwayNotice)).one().told_at is not None


def test_the_background_job_reads_who_waits_and_tells_those_back(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    for user in ("U1", "U2", "U3", "U4"):
        slack.event(reaction_event("reaction_added", user, post["ts"]))
    now = utcnow()
    fake.set_dnd("U3", now - timedelta(minutes=5), now + timedelta(hours=2))
    fake.set_status("U4", "", "Parental leave", expires=now + timedelta(days=30))
    client = dibs.clients.background
    assert refresh_people(dibs.services, client, now) == 0
    [dnd] = fake.calls("dnd.teamInfo")
    assert sorted(dnd.params["users"].split(",")) == ["U3", "U4"]  # the waitlist
    assert sorted(c.params["user"] for c in fake.calls("users.info")) == ["U3", "U4"]
    refresh_people(dibs.services, client, now + timedelta(minutes=30))
    assert len(fake.calls("dnd.teamInfo")) == 1 and len(fake.calls("users.info")) == 2  # at most hourly

    slack.event(reaction_event("reaction_removed", "U1", post["ts"]))  # U3 and U4 away: U3 is offered anyway
    assert "offered to <@U3> until" in last_update(fake)
    with dibs.db() as session:
        assert session.scalars(select(AwayNotice)).all() == []  # nobody was passed over


def test_someone_on_do_not_disturb_is_told_by_the_job_when_it_ends(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    for user in ("U1", "U2", "U3", "U4"):
        slack.event(reaction_event("reaction_added", user, post["ts"]))
    now = utcnow()
    fake.set_dnd("U3", now - timedelta(minutes=5), now + timedelta(hours=2))
    refresh_people(dibs.services, dibs.clients.background, now)
    slack.event(reaction_event("reaction_removed", "U1", post["ts"]))
    assert "offered to <@U4> until" in last_update(fake)
    assert [(a, who) for a, who, _ in actions(dibs, 1) if a == "passed_over"] == [("passed_over", "U3")]
    assert refresh_people(dibs.services, dibs.clients.background, now + timedelta(hours=1)) == 0  # still on it
    assert not dms(fake, "U3")
    assert refresh_people(dibs.services, dibs.clients.background, now + timedelta(hours=2, minutes=1)) == 1
    dibs.deliver(now + timedelta(hours=2, minutes=1))
    [back] = dms(fake, "U3")
    assert back.params["text"].startswith("While you were on Do Not Disturb, the open seat on #1 ")
    assert refresh_people(dibs.services, dibs.clients.background, now + timedelta(hours=3)) == 0  # once


def test_a_swap_asked_of_someone_away_says_the_answer_may_wait(dibs, slack, fake):
    """From what Dibs keeps (no Slack call on the command): the person is asked anyway, and the asker knows why the
    answer may take a while; someone present gets the plain answer."""
    open_task(slack, fake)
    slack.command("claim 1", user="U2")
    slack.event(user_change("U4", ":palm_tree:", "Back Monday"))
    before = len(fake.calls("users.info"))
    away = slack.command("swap 1 <@U4>", user="U2").body
    assert away == (
        "I asked <@U4> privately to take your seat on #1; it stays yours until they accept. "
        "They are out of office, so the answer may take a while."
    )
    assert len(fake.calls("users.info")) == before and "Back Monday" not in away
    slack.command("claim 1", user="U3")
    assert "may take a while" not in slack.command("swap 1 <@U5>", user="U3").body

"""`rotation: fair`: one person asked privately at escalate_after, in a fair order, "Not me" moving on,
on SQLite and PostgreSQL; the order itself as a pure function."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.editor.nominee import choose_nominee, why_them
from bot.reminders.planning import plan_nags
from bot.settings import DEFAULT_KINDS, NagSettings, WorkingHours
from bot.staffing.availability import Away
from bot.timing import local_day
from store.models import PingCount, Task, TaskEvent, utcnow
from store.queries.groups import set_members
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import blocks_text, last_update, open_task
from tests.support.payloads import block_action, message_event

GROUP = "S0BOOTH"


def test_the_fewest_claims_first_skipping_who_passed_is_busy_or_away():
    claims = {"U1": 2, "U3": 1}
    asked: list[str] = []
    ooo = Away("out of office", "Fri")

    def away(user: str) -> Away | None:
        asked.append(user)
        return ooo if user == "U4" else None

    assert choose_nominee(["U1", "U2", "U3", "U4"], claims, set(), away) == ("U2", [])
    assert asked == ["U2"]  # nobody else's status is read
    # U4 (0) is away, and said so
    assert choose_nominee(["U1", "U2", "U3", "U4"], claims, {"U2"}, away) == ("U3", [("U4", ooo)])
    assert choose_nominee(["U1", "U2", "U3", "U4"], claims, {"U2", "U3", "U1"}, away) == (None, [("U4", ooo)])
    assert choose_nominee([], claims, set(), away) == (None, [])


def test_the_question_says_why_them_accurately():
    ooo, dnd = Away("out of office", "Fri"), Away("on Do Not Disturb", "15:00")
    assert why_them(1, timedelta(days=30), []) == "You have taken the fewest follow-ups in the last 30 days (1)."
    assert why_them(0, timedelta(days=1), [("U4", ooo)]) == (
        "You have taken the fewest follow-ups in the last day (0); <@U4> is out of office until Fri."
    )
    said = why_them(2, timedelta(hours=12), [("U4", ooo), ("U5", dnd), ("U6", ooo), ("U7", ooo), ("U8", ooo)])
    assert said.startswith("You have taken the fewest follow-ups in the last 12 hours (2); <@U4> is out of office")
    assert "<@U5> is on Do Not Disturb until 15:00" in said and "<@U7>" not in said
    assert said.endswith("; 2 others away.")


@pytest.fixture
def bot(settings, fake):
    fair = DEFAULT_KINDS["event"].model_copy(update={"slots": 1, "owner_group": GROUP, "rotation": "fair"})
    kinds = {**DEFAULT_KINDS, "event": fair}
    b = make_dibs(settings, working_hours=WorkingHours(always=True), kinds=kinds,
                  nag=NagSettings(max_pings_per_day=3))  # fmt: skip
    fake.set_group(GROUP, ["U1", "U2", "U3", "U4", "U111"])
    yield b
    b.shutdown()


@pytest.fixture
def slack(bot):
    return sender_for(bot)


def history(slack, fake) -> None:
    """In the last month U1 took three follow-ups and U3 one; U2 and U4 none."""
    open_task(slack, fake)
    slack.command("claim 1", user="U1")
    for n, user in enumerate(("U1", "U1", "U3"), start=2):
        slack.event(message_event(f"Webinar number {n}: who hosts it?"))
        slack.command(f"claim {n}", user=user)


def dms(fake, user: str):
    return [c for c in fake.calls("chat.postMessage") if c.params["channel"] == user and c.status == 200]


def in_dm(action: str, task_id: int, user: str) -> dict:
    payload = block_action(action, str(task_id), user, "1.1", "1.1")
    payload["channel"] = {"id": f"D{user}", "name": "directmessage"}
    payload["container"]["channel_id"] = f"D{user}"
    return payload


def a_day_later():
    return utcnow() + timedelta(days=1, minutes=5)


def escalate(bot) -> None:
    now = a_day_later()
    plan_nags(bot.services, now)
    bot.deliver(now)


def test_the_nominee_is_asked_privately_and_not_me_moves_on(bot, slack, fake):
    history(slack, fake)
    slack.event(message_event("Booth at the Fall Fair: who staffs it?"))  # #5, posted by U111
    fake.set_status("U4", ":palm_tree:", "Back on Monday")
    escalate(bot)
    [ask] = dms(fake, "U2")
    assert "Could you take *#5*" in ask.params["text"] and "waited 1d" in ask.params["text"]
    buttons = [e["action_id"] for e in ask.params["blocks"][1]["elements"]]
    assert buttons == ["dibs_nominee_take", "dibs_nominee_pass"]
    assert "Dibs asked <@U2> privately" in last_update(fake)
    escalate(bot)  # the next reminder asks no one else while U2 has not answered
    assert len(dms(fake, "U2")) == 1 and not dms(fake, "U3")

    slack.interactive(in_dm("dibs_nominee_pass", 5, "U2"))
    [thanks] = [c for c in fake.calls("chat.update") if c.params["channel"] == "DU2"]  # the ask says it
    assert "I'll ask someone else" in blocks_text(thanks) and len(dms(fake, "U2")) == 1
    # U4 has as few claims but is away; the poster is never asked; U3 is next.
    [ask3] = dms(fake, "U3")
    assert "*#5*" in ask3.params["text"] and not dms(fake, "U4") and not dms(fake, "U111")
    assert "fewest follow-ups in the last 30 days (1); <@U4> is out of office." in ask3.params["text"]
    assert "in the last 30 days (0)." in ask.params["text"]  # U2 came first: nobody away was passed over
    thread = last_update(fake)
    assert "Dibs asked <@U3> privately" in thread and "U2" not in thread  # never who declined
    assert "whether they can take it; <@U4> is out of office." in thread  # and who was away, not what they typed

    slack.interactive(in_dm("dibs_nominee_take", 5, "U3"))
    assert "<@U3>" in last_update(fake) and "asked" not in last_update(fake)
    # Each answered DM shows what came of it instead of its buttons: U2 passed, U3 owns #5 now.
    settled = {c.params["channel"]: blocks_text(c) for c in fake.calls("chat.update") if c.params["channel"][0] == "D"}
    assert "I'll ask someone else" in settled["DU2"] and "You own #5 now" in settled["DU3"]
    assert "Not me" not in settled["DU3"]
    with bot.db() as session:
        task = session.get(Task, 5)
        assert task.status == "claimed" and task.nominee is None
        actions = session.scalars(select(TaskEvent.action).where(TaskEvent.task_id == 5).order_by(TaskEvent.id))
        assert [a for a in actions if a != "reminded"] == [
            "created", "nominated", "passed", "skipped", "nominated", "claimed"
        ]  # fmt: skip
        skipped = session.scalars(select(TaskEvent).where(TaskEvent.action == "skipped")).one()
        assert (skipped.actor, skipped.detail) == ("U4", "<@U4> is out of office")
    slack.interactive(in_dm("dibs_nominee_pass", 5, "U2"))
    assert "does not need anyone now" in blocks_text(fake.calls("chat.update")[-1])


def test_someone_over_their_noise_budget_is_skipped(bot, slack, fake):
    history(slack, fake)
    slack.event(message_event("Booth at the Fall Fair: who staffs it?"))
    with bot.db.begin() as session:
        today = local_day(a_day_later(), bot.settings)
        for user in ("U2", "U4"):
            session.add(PingCount(team_id="T111", user_id=user, day=today, count=3))
    escalate(bot)
    assert not dms(fake, "U2") and not dms(fake, "U4") and len(dms(fake, "U3")) == 1


def test_without_an_owner_group_the_channels_recent_claimers_are_asked(settings, fake):
    fair = DEFAULT_KINDS["event"].model_copy(update={"slots": 1, "rotation": "fair"})
    bot = make_dibs(settings, working_hours=WorkingHours(always=True), kinds={**DEFAULT_KINDS, "event": fair})
    try:
        slack = sender_for(bot)
        history(slack, fake)
        slack.event(message_event("Booth at the Fall Fair: who staffs it?"))
        escalate(bot)
        assert len(dms(fake, "U3")) == 1 and not dms(fake, "U2")  # U2 and U4 never claimed here
        assert not fake.calls("usergroups.users.list")
    finally:
        bot.shutdown()


def test_nobody_is_asked_for_a_kind_without_rotation(settings, fake):
    bot = make_dibs(settings, working_hours=WorkingHours(always=True))
    try:
        slack = sender_for(bot)
        history(slack, fake)
        slack.event(message_event("Booth at the Fall Fair: who staffs it?"))
        escalate(bot)
        assert not [c for c in fake.calls("chat.postMessage") if c.params["channel"].startswith("U")]
    finally:
        bot.shutdown()


def test_a_kind_with_claimers_asks_only_them(settings, fake):
    """No owner group: the nominee comes from the claimer group (never someone who may not claim), even though
    others took tasks in the channel lately."""
    fair = DEFAULT_KINDS["event"].model_copy(update={"slots": 1, "claimers": "S0SALES", "rotation": "fair"})
    bot = make_dibs(settings, working_hours=WorkingHours(always=True), kinds={**DEFAULT_KINDS, "event": fair})
    try:
        slack = sender_for(bot)
        fake.set_group("S0SALES", ["U7", "U8"])
        with bot.services.transaction() as tx:
            set_members(tx.session, "T111", "S0SALES", ["U7", "U8"], utcnow())
        open_task(slack, fake, "Who can reply to the blog comment on pricing?")  # #1: anyone may claim it
        slack.command("claim 1", user="U2")  # U2 took a task here lately, but is no salesperson
        slack.event(message_event("Booth at the Fall Fair: who staffs it?"))  # #2, an event
        slack.command("claim 2", user="U8")
        slack.command("release 2", user="U8")  # U8 has one claim now, U7 none
        escalate(bot)
        assert dms(fake, "U7") and not dms(fake, "U2") and not dms(fake, "U8")
        assert "*#2*" in dms(fake, "U7")[0].params["text"]
    finally:
        bot.shutdown()

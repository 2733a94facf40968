"""`rotation: fair`: one person asked privately at escalate_after, in a fair order, "Not me" moving on,
on SQLite and PostgreSQL; the order itself as a pure function."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.editor.nominee import choose_nominee
from bot.reminders.planning import plan_nags
from bot.settings import DEFAULT_KINDS, NagSettings, WorkingHours
from bot.timing import local_day
from store.models import PingCount, Task, TaskEvent, utcnow
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import blocks_text, last_update, open_task
from tests.support.payloads import block_action, message_event

GROUP = "S0BOOTH"


def test_the_fewest_claims_first_skipping_who_passed_is_busy_or_away():
    claims = {"U1": 2, "U3": 1}
    asked: list[str] = []

    def away(user: str) -> bool:
        asked.append(user)
        return user == "U4"

    assert choose_nominee(["U1", "U2", "U3", "U4"], claims, set(), away) == "U2"
    assert asked == ["U2"]  # nobody else's status is read
    assert choose_nominee(["U1", "U2", "U3", "U4"], claims, {"U2"}, away) == "U3"  # U4 (0) is away
    assert choose_nominee(["U1", "U2", "U3", "U4"], claims, {"U2", "U3", "U1"}, away) is None
    assert choose_nominee([], claims, set(), away) is None


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
    thread = last_update(fake)
    assert "Dibs asked <@U3> privately" in thread and "U2" not in thread  # never who declined

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
        assert [a for a in actions if a != "reminded"] == ["created", "nominated", "passed", "nominated", "claimed"]
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

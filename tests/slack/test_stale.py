"""Claims that went quiet, through the real Web API client to the fake Slack and signed clicks from the
owner's DM: the question with its three buttons, Snooze moving the next one, Done and Release from the DM
(a private channel's task included), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.reminders.stale import resume_quiet_clocks
from bot.settings import DigestSettings, WorkingHours
from store.models import Task, TaskEvent, utcnow
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import BOOTH, blocks_text, last_update, open_task
from tests.support.payloads import block_action, message_event

ASKED = "still on it?"


@pytest.fixture
def bot(settings):
    b = make_dibs(settings, working_hours=WorkingHours(always=True), digest=DigestSettings(days=frozenset()))
    yield b
    b.shutdown()


@pytest.fixture
def slack(bot):
    return sender_for(bot)


def dms(fake, user: str):
    return [c for c in fake.calls("chat.postMessage") if c.params["channel"] == user and c.status == 200]


def in_dm(action: str, task_id: int, user: str) -> dict:
    """A click on a button of a message Dibs sent to `user` (their DM with Dibs, D…)."""
    payload = block_action(action, str(task_id), user, "1700000000.000900", "1700000000.000900")
    payload["channel"] = {"id": f"D{user}", "name": "directmessage"}
    payload["container"]["channel_id"] = f"D{user}"
    del payload["container"]["thread_ts"], payload["message"]["thread_ts"]
    return payload


def tick(bot, at: datetime) -> None:
    bot.tick(at)
    bot.deliver(at)


def next_ask(bot, task_id: int = 1) -> datetime | None:
    with bot.db() as session:
        return session.get(Task, task_id).stale_nudge_at


def test_a_quiet_claim_is_asked_about_by_dm_and_snooze_moves_the_next_ask(bot, slack, fake):
    open_task(slack, fake)
    slack.command("claim 1", user="U2")
    tick(bot, utcnow() + timedelta(days=2, hours=23))
    assert dms(fake, "U2") == []
    tick(bot, utcnow() + timedelta(days=3, minutes=1))
    [asked] = dms(fake, "U2")
    assert asked.params["text"].startswith("You took *#1* ") and asked.params["text"].endswith(f"3 days ago: {ASKED}")
    assert [e["action_id"] for e in asked.params["blocks"][1]["elements"]] == [
        "dibs_done",
        "dibs_release",
        "dibs_stale_snooze",
    ]
    then = next_ask(bot)
    assert then is not None and then > utcnow() + timedelta(days=5)

    assert slack.interactive(in_dm("dibs_stale_snooze", 1, "U2")).status == 200
    # The DM gives its buttons way to the answer (nothing left to click) and no second message says it.
    [settled] = [c for c in fake.calls("chat.update") if c.params["channel"] == "DU2"]
    answer = blocks_text(settled)
    assert "Got it. I'll ask again on " in answer and "if #1 is still quiet then" in answer
    assert settled.params["ts"] == "1700000000.000900" and "dibs_stale_snooze" not in json.dumps(settled.params)
    assert len(dms(fake, "U2")) == 1
    assert next_ask(bot) == then + timedelta(days=3)
    tick(bot, then + timedelta(minutes=1))
    assert len([c for c in dms(fake, "U2") if ASKED in c.params["text"]]) == 1  # snoozed past this one
    tick(bot, then + timedelta(days=3, minutes=1))
    assert len([c for c in dms(fake, "U2") if ASKED in c.params["text"]]) == 2
    with bot.db() as session:
        actions = session.scalars(select(TaskEvent.action).where(TaskEvent.task_id == 1).order_by(TaskEvent.id))
        assert [a for a in actions] == ["created", "claimed", "nudged", "nudge_snoozed", "nudged"]

    slack.interactive(in_dm("dibs_stale_snooze", 1, "U9"))
    assert "You don't own #1" in dms(fake, "U9")[-1].params["text"]
    assert [c for c in fake.calls("chat.update") if c.params["channel"] == "DU9"] == []  # refused: left as it was


def test_done_from_the_dm_finishes_a_private_channels_task(bot, slack, fake):
    slack.command("watch", channel="G111", user="UADMIN")
    slack.event(message_event(BOOTH, channel="G111", channel_type="group"))
    assert "You own #1" in slack.command("claim 1", user="U2", channel="G111").body
    tick(bot, utcnow() + timedelta(days=3, minutes=1))
    [asked] = dms(fake, "U2")
    assert ASKED in asked.params["text"] and "<#G111>" in asked.params["text"]

    assert slack.interactive(in_dm("dibs_done", 1, "U2")).status == 200
    with bot.db() as session:
        task = session.get(Task, 1)
        assert (task.status, task.done_by, task.stale_nudge_at) == ("done", "U2", None)
    [settled] = [c for c in fake.calls("chat.update") if c.params["channel"] == "DU2"]
    assert "#1 is done. Thank you!" in blocks_text(settled)  # the DM says it: no thread shows it there
    assert len(dms(fake, "U2")) == 1 and "*Done* by <@U2>" in last_update(fake)
    assert not fake.calls("chat.postEphemeral")

    slack.interactive(in_dm("dibs_done", 1, "U2"))  # a second click: the DM says why not
    assert dms(fake, "U2")[-1].params["text"] == "#1 is already done."


def test_release_from_the_dm_lets_go_and_the_asking_stops(bot, slack, fake):
    open_task(slack, fake)
    slack.command("claim 1", user="U2")
    tick(bot, utcnow() + timedelta(days=3, minutes=1))
    slack.interactive(in_dm("dibs_release", 1, "U2"))
    settled = next(c for c in fake.calls("chat.update") if c.params["channel"] == "DU2")
    assert "You let go of #1." in blocks_text(settled)
    with bot.db() as session:
        task = session.get(Task, 1)
        assert (task.status, task.stale_nudge_at) == ("open", None)
    tick(bot, utcnow() + timedelta(days=7))
    assert len([c for c in dms(fake, "U2") if ASKED in c.params["text"]]) == 1


def test_a_claim_button_in_a_dm_still_hides_a_private_channels_task(bot, slack, fake):
    slack.command("watch", channel="G111", user="UADMIN")
    slack.event(message_event(BOOTH, channel="G111", channel_type="group"))
    slack.interactive(in_dm("dibs_claim", 1, "U9"))
    with bot.db() as session:
        assert session.get(Task, 1).status == "open"
    assert "There is no task #1" in fake.calls("chat.postEphemeral")[-1].params["text"]


def test_turning_the_question_on_asks_about_claims_that_went_quiet_while_it_was_off(settings, bot, fake):
    off = make_dibs(settings, working_hours=WorkingHours(always=True), digest=DigestSettings(days=frozenset()),
                    nag=settings.nag.model_copy(update={"stale_claim_after": None}))  # fmt: skip
    try:
        slack = sender_for(off)
        open_task(slack, fake)
        slack.command("claim 1", user="U2")
        assert next_ask(off) is None  # off: no clock
        tick(off, utcnow() + timedelta(days=4))
        assert dms(fake, "U2") == []
    finally:
        off.shutdown()
    # Dibs restarts with the default (3d): the claim, quiet for 4 days by then, is asked at the next tick.
    assert resume_quiet_clocks(bot.services) == 1
    assert resume_quiet_clocks(bot.services) == 0  # once
    tick(bot, utcnow() + timedelta(days=4))
    [asked] = dms(fake, "U2")
    assert ASKED in asked.params["text"]


def test_two_claims_gone_quiet_together_are_one_dm_and_answering_one_keeps_the_others_buttons(bot, slack, fake):
    open_task(slack, fake)
    slack.event(message_event("Another booth at the county fair"))
    slack.command("claim 1", user="U2")
    slack.command("claim 2", user="U2")
    tick(bot, utcnow() + timedelta(days=3, minutes=1))
    [asked] = dms(fake, "U2")  # one message about both
    rows = [b for b in asked.params["blocks"] if b["type"] == "actions"]
    assert [r["block_id"] for r in rows] == ["dibs_stale_1", "dibs_stale_2"]
    assert {e["value"] for r in rows for e in r["elements"]} == {"1", "2"}
    click = in_dm("dibs_done", 2, "U2")
    click["actions"][0]["block_id"] = "dibs_stale_2"
    click["message"].update(text=asked.params["text"], blocks=asked.params["blocks"])  # Slack sends it back
    slack.interactive(click)
    with bot.db() as session:
        assert (session.get(Task, 1).status, session.get(Task, 2).status) == ("claimed", "done")
    [settled] = [c for c in fake.calls("chat.update") if c.params["channel"] == "DU2"]
    kept = [b.get("block_id") for b in settled.params["blocks"] if b["type"] == "actions"]
    assert kept == ["dibs_stale_1", None]  # #1's buttons stay; #2's gave way to the answer (with its Undo)
    assert "#2 is done. Thank you!" in blocks_text(settled)

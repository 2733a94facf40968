"""Buttons that fit the moment (Done once someone owns a task, Join the waitlist once it is full) and handing a
seat over: never to Dibs itself, and a hand-over whose question cannot reach the person is called off, with the
person who asked told. Through Bolt in-process with signed requests, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.slack.ids import ActionId
from bot.staffing.seating import NOT_A_PERSON
from store.models import Swap
from tests.support.fakeslack import Call, FakeSlack
from tests.support.helpers import open_task
from tests.support.payloads import CHANNEL, block_action

BOT_USER = "UBOT"  # the fake's auth.test: Dibs's own user id
UNREACHABLE = {"ok": False, "error": "channel_not_found"}


def thread_reply(fake: FakeSlack, reply: Call) -> Call:
    """The thread reply as it reads now: its last update, or the post itself."""
    ts = reply.response["ts"]
    updates = [c for c in fake.calls("chat.update") if c.params.get("channel") == CHANNEL and c.params["ts"] == ts]
    return updates[-1] if updates else reply


def controls(call: Call) -> list[tuple[str, str, str]]:
    """The thread reply's buttons and pickers: (words, action id, value)."""
    shown = []
    for block in call.params.get("blocks") or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            words = (element.get("text") or element.get("placeholder") or {}).get("text", "")
            shown.append((words, element["action_id"], element.get("value", "")))
    return shown


def pick(user: str, picked: str, thread_ts: str, task_id: int = 1) -> dict[str, Any]:
    """ "Hand my seat to…" in the thread: `user` picks `picked`."""
    body = block_action(ActionId.SWAP_PICK, "", user, thread_ts, thread_ts)
    body["actions"] = [{"action_id": ActionId.SWAP_PICK, "block_id": f"dibs_task_{task_id}", "type": "users_select",
                        "selected_user": picked, "action_ts": "1.2"}]  # fmt: skip
    return body


def notes_to(fake: FakeSlack, user: str) -> list[str]:
    return [str(c.params.get("text")) for c in fake.calls("chat.postEphemeral") if c.params.get("user") == user]


def dms_to(fake: FakeSlack, user: str) -> list[Call]:
    return [c for c in fake.calls("chat.postMessage") if c.params.get("channel") == user]


def swaps(dibs) -> list[Swap]:
    with dibs.db() as session:
        return list(session.scalars(select(Swap).order_by(Swap.id)))


def test_done_shows_once_someone_owns_it_and_a_full_task_offers_its_waitlist(dibs, slack, fake):
    post, reply = open_task(slack, fake)  # a booth: 2 people needed
    assert controls(reply) == [("I'll take it", ActionId.CLAIM, "1")]  # nobody owns it: nothing to finish
    slack.command("claim 1", user="U2")
    assert [words for words, _, _ in controls(thread_reply(fake, reply))] == [
        "I'll take it",
        "Done",
        "Hand my seat to…",
    ]
    slack.command("claim 1", user="U3")
    full = controls(thread_reply(fake, reply))
    assert full[:2] == [("Join the waitlist", ActionId.CLAIM, "1"), ("Done", ActionId.DONE, "1")]
    # The same button as before: a click past the last seat joins the line.
    ts = reply.response["ts"]
    assert slack.interactive(block_action(ActionId.CLAIM, "1", "U4", ts, post["ts"])).status == 200
    assert "*Waitlist:* <@U4>" in str(thread_reply(fake, reply).params["blocks"])
    slack.command("release 1", user="U3")  # U4 is offered the seat: still no free one
    assert controls(thread_reply(fake, reply))[0][0] == "Join the waitlist"


def test_a_seat_is_never_handed_to_dibs_itself(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    slack.command("claim 1", user="U2")
    assert slack.interactive(pick("U2", BOT_USER, post["ts"])).status == 200
    assert notes_to(fake, "U2")[-1] == NOT_A_PERSON
    assert slack.command(f"swap 1 <@{BOT_USER}>", user="U2").body == NOT_A_PERSON
    assert dms_to(fake, BOT_USER) == [] and swaps(dibs) == []
    assert "I asked" not in " ".join(notes_to(fake, "U2"))
    # Nor the task, nor a seat moved by the poster.
    assert slack.command(f"assign 1 <@{BOT_USER}>", user="U2").body == NOT_A_PERSON
    assert slack.command(f"swap 1 <@U2> <@{BOT_USER}>", user="U111").body == NOT_A_PERSON
    assert "<@UBOT>" not in str(fake.calls("chat.update")[-1].params.get("blocks"))


def test_a_hand_over_whose_question_cannot_be_delivered_is_called_off_and_the_asker_told(dibs, slack, fake):
    post, reply = open_task(slack, fake)
    slack.command("claim 1", user="U2")
    # U9 is a bot or was deactivated: Slack will not take a direct message to them.
    fake.fail_next("chat.postMessage", status=200, body=UNREACHABLE, channel="U9")
    assert slack.interactive(pick("U2", "U9", post["ts"])).status == 200
    assert "I asked <@U9> privately" in notes_to(fake, "U2")[-1]
    [refused] = dms_to(fake, "U9")
    assert refused.response == UNREACHABLE
    [swap] = swaps(dibs)
    assert swap.state == "undelivered"  # no longer waits for an answer that cannot come
    [told] = dms_to(fake, "U2")
    assert told.params["text"] == (
        "I couldn't reach <@U9>, so your seat on #1 stays yours. Pick someone else with `/dibs swap 1 @someone`."
    )
    assert "<@U2>" in str(thread_reply(fake, reply).params["blocks"])  # the seat stayed
    # Someone reachable is asked as before.
    slack.command("swap 1 <@U7>", user="U2")
    assert "asks whether you can take their seat" in str(dms_to(fake, "U7")[-1].params["text"])
    assert [s.state for s in swaps(dibs)] == ["undelivered", "asked"]
    assert len(dms_to(fake, "U2")) == 1

"""Staffing an event end to end: `dibs serve --http` with roles, offers that expire in seconds, swaps and
undo, driven by signed Events API, slash command and interactivity requests, against the fake Slack."""

from __future__ import annotations

import json

import pytest

from bot.slack.ids import ActionId
from tests.conftest import SECRET
from tests.support.fakeslack import Call, FakeSlack
from tests.support.helpers import blocks_text, replies_stored, wait_until
from tests.support.payloads import Sender, block_action, message_event, reaction_event
from tests.support.server import HttpBot, bot_env

pytestmark = pytest.mark.e2e

STAFFED = """
working_hours: always
nag: {first_after: 2s, every: 2s}
digest: {days: none}
offer_expires_after: 5s
calendar_merge_within: 1s
kinds:
  event:
    roles: {lead: 1, staff: 2}
"""
POST = "We have a booth at the Springfield Expo on 2027-03-01, 3 staff needed. Who can help?"


@pytest.fixture
def bot(fake, database_url, tmp_path):
    config = tmp_path / "dibs.yml"
    config.write_text(STAFFED)
    running = HttpBot(bot_env(fake.base_url, database_url, DIBS_CONFIG=str(config)), tmp_path / "dibs.log")
    yield running
    running.stop()


@pytest.fixture
def slack(bot):
    return Sender(SECRET, url=bot.events_url)


def thread_now(fake: FakeSlack, *shown: str) -> str:
    """The thread reply once it shows everything in `shown`."""
    [update] = fake.wait_for("chat.update", predicate=lambda c: all(s in blocks_text(c) for s in shown), timeout=10)[
        -1:
    ]
    return blocks_text(update)


def dm_to(fake: FakeSlack, user: str, says: str) -> Call:
    """The direct message Dibs sent `user` that says `says`."""
    found = fake.wait_for(
        "chat.postMessage",
        predicate=lambda c: c.params["channel"] == user and says in str(c.params.get("text")),
        timeout=15,  # an offer runs out after 5 s, then a tick (0.5 s) asks the next person: room for a busy CI
    )
    return found[-1]


def told(fake: FakeSlack, user: str, says: str) -> None:
    """Wait until `user` heard `says` in a direct message: on its own, or with a calendar entry about the same
    task that was waiting to go (related changes within `calendar_merge_within` make one message)."""

    def heard() -> bool:
        dms = [str(c.params.get("text")) for c in fake.calls("chat.postMessage") if c.params["channel"] == user]
        comments = [str(u.get("initial_comment")) for u in fake.uploaded() if u["channel_id"] == f"D{user[1:]}"]
        return any(says in text for text in [*dms, *comments])

    wait_until(heard, 15, f"{user} to hear {says!r}")


def note_to(fake: FakeSlack, user: str, says: str) -> Call:
    """The private note Dibs showed `user` that says `says`."""
    found = fake.wait_for(
        "chat.postEphemeral",
        predicate=lambda c: c.params["user"] == user and says in str(c.params.get("text")),
        timeout=15,
    )
    return found[-1]


def button_value(message: Call, action_id: str) -> str:
    blocks = message.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return next(e["value"] for b in blocks for e in b.get("elements", []) if e.get("action_id") == action_id)


def open_event(slack: Sender, fake: FakeSlack, database_url: str) -> tuple[dict, Call]:
    slack.command("watch", user="UADMIN")
    post = message_event(POST)
    slack.event(post)
    [reply] = fake.wait_for("chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == post["ts"], timeout=15)
    replies_stored(database_url)
    return post, reply


def calendar_entries(fake: FakeSlack) -> set[tuple[str, str]]:
    """(DM, METHOD) of every .ics Dibs uploaded."""
    found = set()
    for upload in fake.uploaded():
        content = upload["content"].decode() if isinstance(upload["content"], bytes) else str(upload["content"])
        method = next((line.split(":", 1)[1] for line in content.splitlines() if line.startswith("METHOD:")), "")
        found.add((upload["channel_id"], method.strip()))
    return found


def said(reply) -> dict:
    """A slash command's answer: Bolt sends JSON when it has blocks, else the plain text."""
    try:
        return json.loads(reply.body)
    except ValueError:
        return {"text": reply.body}


def click(slack: Sender, action_id: str, value: str, user: str, message_ts: str, thread_ts: str, **where) -> None:
    assert slack.interactive(block_action(action_id, value, user, message_ts, thread_ts, **where)).status == 200


def test_roles_are_claimed_by_buttons_reactions_and_commands(bot, slack, fake, database_url):
    post, reply = open_event(slack, fake, database_url)
    shown = blocks_text(reply)
    assert "Hand my seat to" not in shown  # nobody holds a seat yet
    assert "*lead* (1)" in shown and "*staff* (3)" in shown  # "3 staff" in the post overrides the kind's 2
    assert "due Mon 01 Mar" in shown  # the post's date is the event's day
    assert "I'll take lead" in shown and "I'll take staff" in shown
    click(slack, f"{ActionId.CLAIM_SEAT}_0", "1:lead", "U1", reply.response["ts"], post["ts"])
    assert "*lead* (1): <@U1>" in thread_now(fake, "*lead* (1): <@U1>")
    slack.event(reaction_event("reaction_added", "U2", post["ts"]))  # the first role with a free seat: staff
    thread_now(fake, "*staff* (3): <@U2>, *2 free*")
    answer = said(slack.command("claim 1 staff", user="U3"))
    assert "You own the staff seat on #1" in answer["text"]
    assert button_value_in(answer, ActionId.UNDO)  # the answer carries its Undo button
    assert "has no role `chef`" in said(slack.command("claim 1 chef", user="U4"))["text"]
    slack.command("claim 1 staff", user="U4")
    slack.command("claim 1 lead", user="U5")  # lead is full: U5 waits in lead's own line
    shown = thread_now(fake, "<@U4>", "waitlist: <@U5>")
    assert "*staff* (3): <@U2>, <@U3>, <@U4>" in shown and "*lead* (1): <@U1> · waitlist: <@U5>" in shown


def dm_updates(fake, channel: str) -> list[str]:
    """What Dibs's direct messages in `channel` were updated to show (an answered button)."""
    return [blocks_text(c) for c in fake.calls("chat.update") if c.params.get("channel") == channel]


def button_value_in(answer: dict, action_id: str) -> str | None:
    return next(
        (e["value"] for b in answer.get("blocks", []) for e in b.get("elements", []) if e["action_id"] == action_id),
        None,
    )


def test_an_offer_that_runs_out_goes_to_the_next_in_line(bot, slack, fake, database_url):
    open_event(slack, fake, database_url)
    for user in ("U1", "U2", "U3", "U4"):
        slack.command("claim 1 staff", user=user)
    slack.command("claim 1 staff", user="U5")
    thread_now(fake, "waitlist: <@U4>, <@U5>")
    slack.command("release 1", user="U1")
    offer = dm_to(fake, "U4", "held for you until")
    assert "Take it" in blocks_text(offer) and "Pass" in blocks_text(offer)
    thread_now(fake, "offered to <@U4> until")
    second = dm_to(fake, "U5", "held for you until")  # U4 did nothing for 5 s: the next person is asked
    shown = thread_now(fake, "offered to <@U5> until")
    assert "<@U4>" not in shown
    click(slack, ActionId.TAKE_OFFER, "1", "U5", second.response["ts"], "", channel="D555")
    assert "*staff* (3): <@U2>, <@U3>, <@U5>" in thread_now(fake, "*staff* (3): <@U2>, <@U3>, <@U5>")
    # The offer itself says what came of it, in place of its buttons: no second message for it.
    wait_until(lambda: dm_updates(fake, "D555"), what="the answered offer without its buttons")
    assert "is yours now" in dm_updates(fake, "D555")[0] and "Take it" not in dm_updates(fake, "D555")[0]
    assert not [c for c in fake.calls("chat.postEphemeral") if c.params["user"] == "U5"]
    click(slack, ActionId.TAKE_OFFER, "1", "U4", offer.response["ts"], "", channel="D444")  # too late
    assert "no longer held for you" in note_to(fake, "U4", "no longer held").params["text"]
    assert dm_updates(fake, "D444") == []  # a refused click changes nothing


def test_a_swap_moves_the_seat_only_when_accepted_and_undo_puts_it_back(bot, slack, fake, database_url):
    open_event(slack, fake, database_url)
    slack.command("claim 1 lead", user="U1")
    slack.command("claim 1 staff", user="U2")
    assert "stays yours until they accept" in said(slack.command("swap 1 <@U7>", user="U2"))["text"]
    asked = dm_to(fake, "U7", "asks whether you can take their staff seat")
    click(slack, ActionId.DECLINE_SWAP, button_value(asked, ActionId.DECLINE_SWAP), "U7", asked.response["ts"], "",
          channel="D777")  # fmt: skip
    told(fake, "U2", "can't take your seat on #1")
    wait_until(lambda: any("Declined" in shown for shown in dm_updates(fake, "D777")), what="the declined swap")
    thread_now(fake, "*staff* (3): <@U2>")
    # The thread's person picker asks the same way: "Hand my seat to…" U6.
    picked = block_action(ActionId.SWAP_PICK, "", "U2", "1.1", "")
    picked["actions"] = [{"action_id": ActionId.SWAP_PICK, "block_id": "dibs_task_1", "type": "users_select",
                          "selected_user": "U6", "action_ts": "1.2"}]  # fmt: skip
    assert slack.interactive(picked).status == 200
    dm_to(fake, "U6", "asks whether you can take their staff seat")
    assert "stays yours until they accept" in note_to(fake, "U2", "stays yours").params["text"]
    slack.command("swap 1 <@U8>", user="U1")
    asked = dm_to(fake, "U8", "asks whether you can take their lead seat")
    click(slack, ActionId.ACCEPT_SWAP, button_value(asked, ActionId.ACCEPT_SWAP), "U8", asked.response["ts"], "",
          channel="D888")  # fmt: skip
    thread_now(fake, "*lead* (1): <@U8>")
    # The event is dated (2027-03-01 in the post): owners' calendars follow the seat.
    wanted = {("D1", "REQUEST"), ("D2", "REQUEST"), ("D1", "CANCEL"), ("D8", "REQUEST")}
    wait_until(lambda: wanted <= calendar_entries(fake), what="calendar entries for U1, U2, U8 and U1's cancel")
    # U1 hears once: that U8 took the seat, in the message that cancels the calendar entry.
    [cancelled] = [u for u in fake.uploaded() if u["channel_id"] == "D1" and "CANCEL" in str(u["content"])]
    assert "<@U8> took your seat on #1" in str(cancelled.get("initial_comment"))
    assert not [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U1"]
    # The poster moves a seat for someone: the thread says who did.
    slack.command("swap 1 <@U2> <@U9>", user="U111")
    thread_now(fake, "<@U9> (placed by <@U111>)")
    assert "Only <@U111>" in said(slack.command("swap 1 <@U9> <@U3>", user="U3"))["text"]
    # Undo: U9 lets go, then takes it back with the button on the answer.
    answer = said(slack.command("release 1", user="U9"))
    thread_now(fake, "*staff* (3): *3 free*")
    undo = button_value_in(answer, ActionId.UNDO)
    assert undo is not None
    click(slack, ActionId.UNDO, undo, "U9", "1.1", "", channel="C111")
    thread_now(fake, "<@U9> (placed by <@U111>)")
    click(slack, ActionId.UNDO, undo, "U9", "1.1", "", channel="C111")
    assert "already undone" in note_to(fake, "U9", "already undone").params["text"]

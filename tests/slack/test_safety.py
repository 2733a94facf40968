"""Nobody can make Dibs ping @channel or leak a private channel, and bad input gets a clear answer:
each finding of the safety review, in-process with signed requests, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.slack.ids import ActionId, CallbackId
from store.models import Claim, OutboxPost, Task, TaskEvent, utcnow
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import BOOTH, blocks_text, last_update, open_task
from tests.support.payloads import CHANNEL, block_action, message_event, reaction_event

BROADCASTS = ("<!channel>", "<!everyone>", "<!here>", "<@U123>", "<https://evil.example|")


def said(fake) -> str:
    """Everything Dibs said to Slack."""
    return " ".join(f"{c.params.get('text', '')} {c.params.get('blocks', '')}" for c in fake.calls())


@pytest.mark.parametrize("typed", ["<!channel> free pizza", "<!everyone> <@U123> free pizza",
                                   "<https://evil.example|Click for free pizza> at the booth"])  # fmt: skip
def test_a_new_task_cannot_ping_or_spoof_a_link(dibs, slack, fake, typed):
    slack.command(f"new event {typed}", response_url=fake.response_url("new"))
    announcement = fake.wait_for("chat.postMessage", count=2)[0]
    assert not any(b in blocks_text(announcement) for b in BROADCASTS), blocks_text(announcement)
    assert "free pizza" in blocks_text(announcement) or "Click for free pizza" in blocks_text(announcement)


def test_typed_proof_cannot_ping_in_the_thread_the_list_or_the_digest(dibs, slack, fake):
    open_task(slack, fake)
    slack.command("claim 1", user="U2")
    assert "#1 is done" in slack.command("done 1 a<!channel>b", user="U2").body
    assert "&lt;!channel&gt;" in last_update(fake)
    assert "<!channel>" not in str(slack.command("list all").json())
    slack.command("digest")
    assert "<!channel>" not in said(fake) and "&lt;!channel&gt;" in said(fake)


def test_a_private_channels_tasks_stay_in_that_channel(dibs, slack, fake):
    slack.command("watch", channel="G111", user="UADMIN")
    private = message_event(BOOTH, channel="G111", channel_type="group")
    slack.event(private)
    with dibs.db() as session:
        assert session.scalars(select(Task.private)).one() is True
    elsewhere = slack.command("list all", channel="C222").json()
    assert "#1" not in str(elsewhere) and "Springfield" not in str(elsewhere)
    assert "There is no task #1" in slack.command("claim 1", user="U9", channel="C222").body
    assert "You own #1" in slack.command("claim 1", user="U9", channel="G111").body
    assert "Springfield" in str(slack.command("list", channel="G111").json())


def test_only_owners_and_the_poster_may_snooze_or_date_a_task(dibs, slack, fake):
    open_task(slack, fake)
    refused = slack.command("snooze 1 2d", user="U9").body
    assert "Only the owners of #1" in refused and "can snooze it" in refused
    assert "can set its due date" in slack.command("due 1 2027-01-10", user="U9").body
    with dibs.db() as session:
        task = session.scalars(select(Task)).one()
    assert task.snoozed_until is None and task.due_on is None


def test_snoozes_and_dates_beyond_a_sane_range_are_refused_with_the_range(dibs, slack, fake):
    open_task(slack, fake)
    assert "at most 90 days" in slack.command("snooze 1 999999d", user="U111").body
    answer = slack.command("due 1 9999-12-31", user="U111").body
    assert "Due dates go from" in answer and "9999-12-31 is outside" in answer
    refused = slack.command("new event Booth 9999-12-31", response_url=fake.response_url("new")).body
    assert "Due dates go from" in refused
    with dibs.db() as session:
        assert len(session.scalars(select(Task)).all()) == 1  # nothing half-done: no second task, no post
    assert len([c for c in fake.calls("chat.postMessage") if "thread_ts" not in c.params]) == 0


def test_a_nul_byte_in_a_post_is_dropped_not_fatal(dibs, slack, fake):
    slack.command("watch")
    assert slack.event(message_event("Booth at the expo\x00 with a NUL")).status == 200
    with dibs.db() as session:
        assert session.scalars(select(Task.title)).one() == "Booth at the expo with a NUL"


@pytest.mark.parametrize(
    "event",
    [
        {
            "type": "reaction_added",
            "item": {"type": "message", "channel": CHANNEL, "ts": "1.1"},
            "reaction": "raising_hand",
        },
        message_event("Booth at the expo", user="U" + "X" * 200),
        message_event("Booth at the expo", channel="C" * 100),
    ],
    ids=["reaction without user", "over-long user id", "over-long channel id"],
)
def test_payloads_of_the_wrong_shape_are_logged_and_answered_and_store_nothing(dibs, slack, fake, caplog, event):
    post, _ = open_task(slack, fake)
    if event["type"] == "reaction_added":
        event["item"]["ts"] = post["ts"]
    with caplog.at_level(logging.WARNING):
        assert slack.event(event).status == 200
    assert "ignored a event_callback request" in caplog.text
    with dibs.db() as session:
        assert session.scalars(select(Claim)).all() == [] and len(session.scalars(select(Task)).all()) == 1


def test_the_same_signed_command_twice_acts_once(dibs, slack, fake):
    from tests.support.payloads import command_form

    form = command_form("new event Booth at Springfield Expo", response_url=fake.response_url("new"))
    first = slack.raw(form, "application/x-www-form-urlencoded")
    again = slack.raw(form, "application/x-www-form-urlencoded")
    assert "Posted #1" in first.body and again.status == 200 and again.body == ""
    with dibs.db() as session:
        assert len(session.scalars(select(Task)).all()) == 1


def test_done_whose_modal_cannot_open_says_how_to_finish_instead(settings, fake):
    from bot.settings import DEFAULT_KINDS

    kinds = {**DEFAULT_KINDS, "event": DEFAULT_KINDS["event"].model_copy(update={"done_needs_link": True})}
    bot = make_dibs(settings, kinds=kinds)
    try:
        slack = sender_for(bot)
        post, reply = open_task(slack, fake)
        slack.command("claim 1", user="U5")
        fake.set_response("views.open", {"ok": False, "error": "expired_trigger_id"})
        assert slack.interactive(block_action(ActionId.DONE, "1", "U5", reply.response["ts"], post["ts"])).status == 200
        [note] = fake.calls("chat.postEphemeral")
        assert note.params["user"] == "U5" and "/dibs done 1 LINK" in note.params["text"]
        assert CallbackId.DONE_LINK in str(fake.calls("views.open")[0].params["view"])
    finally:
        bot.shutdown()


def test_a_deleted_post_cancels_its_task(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": CHANNEL,
        "ts": "1700000999.000100",
        "deleted_ts": post["ts"],
        "event_ts": "1700000999.000100",
        "channel_type": "channel",
        "previous_message": {"type": "message", "user": "U111", "ts": post["ts"]},
    }
    assert slack.event(deleted).status == 200
    assert "Cancelled" in last_update(fake) and "I'll take it" not in last_update(fake)
    with dibs.db() as session:
        task = session.scalars(select(Task)).one()
        trail = [e.action for e in session.scalars(select(TaskEvent).order_by(TaskEvent.id))]
    assert (task.status, task.next_nag_at) == ("cancelled", None) and trail[-1] == "cancelled"
    assert "no open tasks" in str(slack.command("list").json())
    assert "Unclaimed" not in str(slack.command("digest preview").json())


def test_a_post_deleted_with_replies_leaves_a_tombstone_and_cancels_too(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    tombstone = {"type": "message", "subtype": "message_changed", "hidden": True, "channel": CHANNEL,
                 "ts": "1700000999.000200", "event_ts": "1700000999.000200",
                 "message": {"type": "message", "subtype": "tombstone", "text": "This message was deleted.",
                             "ts": post["ts"], "user": "USLACKBOT"}}  # fmt: skip
    slack.event(tombstone)
    with dibs.db() as session:
        assert session.scalars(select(Task.status)).one() == "cancelled"


def test_an_archived_channel_is_not_reminded_and_gets_no_digest(settings, fake):
    from bot.settings import DigestSettings, WorkingHours

    dibs = make_dibs(settings, working_hours=WorkingHours(always=True), digest=DigestSettings(days=frozenset(range(7))))
    slack = sender_for(dibs)
    open_task(slack, fake)
    slack.event({"type": "channel_archive", "channel": CHANNEL, "user": "U222"})
    fake.clear()
    from datetime import timedelta

    later = utcnow() + timedelta(days=2)
    dibs.tick(later)
    dibs.deliver(later)
    assert fake.calls("chat.postMessage") == []
    slack.event({"type": "channel_unarchive", "channel": CHANNEL, "user": "U222"})
    dibs.tick(later + timedelta(hours=5))
    dibs.deliver(later + timedelta(hours=5))
    assert any("Still waiting for someone" in str(c.params.get("text")) for c in fake.calls("chat.postMessage"))
    dibs.shutdown()


@pytest.mark.parametrize(
    "event", [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}]
)
def test_an_uninstall_stops_everything_for_the_workspace_and_keeps_its_data(dibs, slack, fake, event):
    post, _ = open_task(slack, fake)
    fake.fail_next("chat.update", status=500, count=10)
    slack.event(reaction_event("reaction_added", "U2", post["ts"]))  # its thread update is pending
    slack.event(event)
    fake.clear()
    from datetime import timedelta

    later = utcnow() + timedelta(days=3)
    dibs.tick(later)
    dibs.deliver(later)
    assert [c.method for c in fake.calls()] == []
    with dibs.db() as session:
        assert session.scalars(select(Task)).one().status == "claimed"  # kept
        states = {p.state for p in session.scalars(select(OutboxPost))}
    assert "pending" not in states


def test_a_revoked_token_stops_the_retries_at_once(dibs, slack, fake, caplog):
    slack.command("watch")
    fake.set_response("chat.postMessage", {"ok": False, "error": "token_revoked"})
    with caplog.at_level(logging.WARNING):
        for n in range(3):
            slack.event(message_event(f"Booth number {n} at the expo"))
        from datetime import timedelta

        dibs.deliver(utcnow() + timedelta(minutes=10))
    assert len(fake.calls("chat.postMessage")) == 1  # the first answer stops everything for the workspace
    assert "Dibs sends it nothing more" in caplog.text


def test_watching_is_for_the_admins_group_when_there_is_one(settings, fake):
    bot = make_dibs(settings, admins="S0ADMINS")
    try:
        bot.services.admins.set_members("T111", ["UADMIN"])
        slack = sender_for(bot)
        assert "Only members of <!subteam^S0ADMINS>" in slack.command("watch", user="U9").body
        assert "Watching <#C111>" in slack.command("watch", user="UADMIN").body
        assert "Only members" in slack.command("mute", user="U9").body
        slack.event({"type": "subteam_members_changed", "subteam_id": "S0ADMINS", "team_id": "T111",
                     "added_users": ["U9"], "removed_users": ["UADMIN"]})  # fmt: skip
        assert "are paused" in slack.command("mute", user="U9").body
        assert "Only members" in slack.command("unwatch", user="UADMIN").body
    finally:
        bot.shutdown()

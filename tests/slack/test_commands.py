"""`/dibs` subcommands through signed slash-command forms, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from store.models import Task
from tests.support.helpers import blocks_text, last_update, open_task
from tests.support.payloads import CHANNEL, message_event


def test_help_and_unknown_subcommands_get_help(dibs, slack, fake):
    for text in ("", "help", "help all"):
        assert "/dibs claim ID" in slack.command(text).body
    reply = slack.command("grab 12")
    assert reply.status == 200
    assert "I don't know `/dibs grab`. `/dibs help` shows what I can do." in reply.body
    assert "/dibs list" not in reply.body  # one sentence, not the whole help


def test_bad_ids_say_which_ids_exist(dibs, slack, fake):
    assert "There are no open tasks" in slack.command("claim 7").body
    open_task(slack, fake)
    slack.event(message_event("Expo booth #2 needs people"))
    reply = slack.command("claim 99").body
    assert "There is no task #99" in reply and "#1, #2" in reply
    assert "is not a task id" in slack.command("claim twelve").body
    assert "needs a task id" in slack.command("release").body


def test_claim_release_done_by_command(dibs, slack, fake):
    open_task(slack, fake)
    owned = slack.command("claim #1", user="U2").body
    assert "You own #1 now" in owned and "staff it?> Thank you!" in owned  # no period after the question mark
    assert "<@U2>" in last_update(fake)
    assert "You let go of #1" in slack.command("release 1", user="U2").body
    assert "Unclaimed" in last_update(fake)
    assert "nothing to release" in slack.command("release 1", user="U2").body
    slack.command("claim 1", user="U2")
    assert "Only the owners of #1 (<@U2>)" in slack.command("done 1", user="U9").body
    assert "#1 is done" in slack.command("done 1", user="U2").body
    assert "already done" in slack.command("claim 1", user="U3").body


def test_assign_hands_over_and_tells_the_new_owner(dibs, slack, fake):
    open_task(slack, fake)
    slack.command("claim 1", user="U2")
    reply = slack.command("assign 1 <@U7|gina>", user="U2")
    assert "You handed your slot #1 to <@U7>" in reply.body
    assert "<@U7>" in last_update(fake) and "<@U2>" not in last_update(fake)
    [dm] = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U7"]
    assert "<@U2> handed you #1" in dm.params["text"]
    assert "can hand it over" in slack.command("assign 1 <@U8>", user="U9").body
    # The poster may fill the free slot.
    assert "You handed #1 to <@U8>" in slack.command("assign 1 <@U8>", user="U111").body
    assert "Write `/dibs assign 1 @someone`" in slack.command("assign 1 gina", user="U111").body


def test_list_shows_ids_kinds_titles_ages_and_owners(dibs, slack, fake):
    open_task(slack, fake)
    slack.event(message_event("Sending gifts to all 40 customers on Friday"))
    slack.command("claim 1", user="U2")
    listing = slack.command("list").json()
    text = str(listing)
    assert "#1" in text and ":calendar: Event" in text and "#2" in text and ":gift: Gift campaign" in text
    assert "gift_campaign" not in text  # a person reads the kind's label, never its key
    assert "<https://test.slack.com/archives/C111/p" in text  # titles link to the post
    assert "<@U2>" in text and "unclaimed" in text and "just now" in text
    unclaimed = str(slack.command("list unclaimed").json())
    assert "#2" in unclaimed and "#1" not in unclaimed
    mine = str(slack.command("list mine", user="U2").json())
    assert "#1" in mine and "#2" not in mine
    assert "no open tasks" in str(slack.command("list mine", user="U5").json())
    assert "There is no kind `everything`. Kinds: Event, Blog comment" in slack.command("list everything").body
    assert "#2" in str(slack.command("list unclaimed Gift-Campaign").json())  # the label, in any case
    assert "takes one of" in slack.command("list mine all").body


def test_list_shows_the_waitlist(dibs, slack, fake):
    open_task(slack, fake)
    for user in ("U1", "U2", "U3"):
        slack.command("claim 1", user=user)
    assert "waitlist <@U3>" in str(slack.command("list").json())


def test_new_posts_the_announcement_and_opens_its_thread(dibs, slack, fake):
    reply = slack.command("new event Booth at Springfield Expo", response_url=fake.response_url("new"))
    assert reply.status == 200 and "Posted #1" in reply.body  # answered from the database...
    announcement, thread = fake.wait_for("chat.postMessage", count=2)  # ...the posts follow
    assert announcement.params["channel"] == CHANNEL and "thread_ts" not in announcement.params
    assert "Booth at Springfield Expo" in blocks_text(announcement)
    assert thread.params["thread_ts"] == announcement.response["ts"]
    assert "Who will staff this event?" in blocks_text(thread)
    with dibs.db() as session:
        task = session.scalars(select(Task)).one()
    assert (task.title, task.source, task.slots) == ("Booth at Springfield Expo", "command", 2)
    assert task.message_ts == announcement.response["ts"]
    assert "There is no kind `party`" in slack.command("new party Friday drinks").body
    assert "needs a kind and a title" in slack.command("new event").body


def test_every_query_is_scoped_to_the_workspace(dibs, slack, fake):
    open_task(slack, fake)
    other = dict(team="T999")  # with one bot token, another workspace gets one sentence (tests/slack/test_hardening)
    assert "installed in another workspace" in slack.command("claim 1", **other).body
    assert "installed in another workspace" in str(slack.command("list", **other).json())
    # A watched channel id in one workspace says nothing about the same id in another.
    slack.event(message_event("Another booth at the expo"), team="T999")
    assert len(fake.calls("chat.postMessage")) == 1


def test_new_in_a_channel_dibs_cannot_post_in_says_how_to_fix_it(dibs, slack, fake):
    fake.set_response("chat.postMessage", {"ok": False, "error": "not_in_channel"})
    slack.command("new gift_campaign Holiday cards", response_url=fake.response_url("new"))
    [answer] = fake.wait_for("response_url")
    assert "not_in_channel" in answer.params["text"] and "/invite @Dibs" in answer.params["text"]
    with dibs.db() as session:  # the task never had a post: it is cancelled, and says why
        [task] = session.scalars(select(Task)).all()
        assert (task.status, task.message_ts) == ("cancelled", None)
    assert "#1" not in str(slack.command("list").json())
    assert len(fake.calls("chat.postMessage")) == 1  # given up at once: Slack's answer will not change


def test_help_names_every_subcommand(dibs, slack, fake):
    from bot.slack.command_parser import SUBCOMMANDS

    shown = slack.command("help all").body
    assert all(f"/dibs {name}" in shown for name in SUBCOMMANDS)

"""The core loop through Bolt in-process with signed requests, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.slack.ids import LINK_INPUT, ActionId, BlockId, CallbackId
from store.models import Task, TaskEvent
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import BOOTH, blocks_text, last_update, open_task
from tests.support.payloads import CHANNEL, block_action, message_event, reaction_event, view_submission


def test_marketing_post_gets_one_ownership_thread(dibs, slack, fake):
    post, reply = open_task(slack, fake)
    assert reply.params["channel"] == CHANNEL
    shown = blocks_text(reply)
    assert "#1" in shown and "Who will staff this event?" in shown
    assert "I'll take it" in shown and ":raising_hand:" in shown
    assert '"Done"' not in shown  # nobody owns it yet: nothing to finish
    assert "Unclaimed" in shown and "2 people needed" in shown
    with dibs.db() as session:
        task = session.scalars(select(Task)).one()
    assert (task.kind, task.message_ts, task.reply_ts) == ("event", post["ts"], reply.response["ts"])
    assert task.permalink and task.permalink.startswith("https://")


def test_each_default_kind_is_recognised(dibs, slack, fake):
    slack.command("watch")
    for text, question in [
        ("Jane commented on the pricing post: does it work with Outlook?", "answer this comment"),
        ("We are sending gifts to every customer this week", "every gift arrives"),
    ]:
        slack.event(message_event(text))
        assert question in blocks_text(fake.calls("chat.postMessage")[-1])


def test_ordinary_chatter_edits_replies_joins_and_bots_stay_quiet(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    quiet = [
        message_event("lunch at noon?"),
        message_event("I can staff the booth", thread_ts=post["ts"]),
        message_event("booth", subtype="channel_join"),
        {**message_event("New gift campaign scheduled"), "subtype": "bot_message", "bot_id": "B999"},
        {**message_event("our own booth reply"), "bot_id": "BBOT"},
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": CHANNEL,
            "ts": "1596184000.005000",
            "event_ts": "1596184000.005000",
            "channel_type": "channel",
            "message": {"type": "message", "user": "U111", "text": "booth at the expo", "ts": post["ts"]},
        },
    ]
    for event in quiet:
        assert slack.event(event).status == 200
    assert len(fake.calls("chat.postMessage")) == 1
    with dibs.db() as session:
        assert len(session.scalars(select(Task)).all()) == 1


def test_unwatched_channel_makes_no_task(dibs, slack, fake):
    slack.event(message_event(BOOTH))
    slack.command("watch")
    slack.command("unwatch")
    slack.event(message_event(BOOTH))
    assert fake.calls("chat.postMessage") == []


def test_watch_joins_the_channel_and_says_so(dibs, slack, fake):
    reply = slack.command("watch")
    assert "Watching <#C111>" in reply.body
    assert fake.calls("conversations.join")[0].params["channel"] == CHANNEL
    assert "already watch" in slack.command("watch").body


def test_slack_retry_of_the_same_event_makes_no_second_task(dibs, slack, fake):
    slack.command("watch")
    post = message_event(BOOTH)
    assert slack.event(post, event_id="EvRETRY").status == 200
    retry = slack.event(
        post, event_id="EvRETRY", headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
    )
    assert retry.status == 200
    # Even a new event id for the same message (Slack re-sent it differently) makes no new task.
    slack.event(post, event_id="EvOTHER")
    assert len(fake.calls("chat.postMessage")) == 1
    with dibs.db() as session:
        assert len(session.scalars(select(Task)).all()) == 1


def test_bad_or_stale_signature_is_refused_and_changes_nothing(dibs, slack, fake):
    slack.command("watch")
    body = json.dumps({"type": "event_callback", "team_id": "T111", "event_id": "EvBAD", "event": message_event(BOOTH)})
    assert slack.raw(body, "application/json", secret="wrong-secret").status == 401
    assert slack.raw(body, "application/json", timestamp=1_500_000_000).status == 401
    assert fake.calls("chat.postMessage") == []
    with dibs.db() as session:
        assert session.scalars(select(Task)).all() == []


def test_claim_reaction_on_the_post_and_on_the_reply(dibs, slack, fake):
    post, reply = open_task(slack, fake)
    slack.event(reaction_event("reaction_added", "U222", post["ts"]))
    assert "<@U222>" in last_update(fake) and "1 of 2" in last_update(fake)
    slack.event(reaction_event("reaction_added", "U333", reply.response["ts"], reaction="raising_hand::skin-tone-3"))
    assert "<@U222>, <@U333>" in last_update(fake) and "2 of 2" in last_update(fake)
    update = fake.calls("chat.update")[-1]
    assert update.params["ts"] == reply.response["ts"] and update.params["channel"] == CHANNEL


def test_past_the_cap_goes_on_the_waitlist_and_is_offered_the_freed_seat(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    for user in ("U1", "U2", "U3"):
        slack.event(reaction_event("reaction_added", user, post["ts"]))
    [note] = fake.calls("chat.postEphemeral")
    assert note.params["user"] == "U3"
    assert "<@U1>, <@U2>" in note.params["text"] and "number 1 on the waitlist" in note.params["text"]
    assert "Waitlist:* <@U3>" in last_update(fake)
    slack.event(reaction_event("reaction_removed", "U1", post["ts"]))
    assert "<@U2>, offered to <@U3> until" in last_update(fake) and "Waitlist" not in last_update(fake)
    [dm] = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U3"]
    assert "held for you until" in dm.params["text"]
    shown = blocks_text(dm)
    assert "Take it" in shown and "Pass" in shown
    click = block_action(ActionId.TAKE_OFFER, "1", "U3", dm.response["ts"], "", channel="D333")
    click["message"].update(text=dm.params["text"], blocks=dm.params["blocks"])  # Slack sends the message back
    slack.interactive(click)
    assert "<@U2>, <@U3>" in last_update(fake) and "offered" not in last_update(fake)
    # The offer itself says what came of it, with Undo, in place of its buttons: no second message.
    [settled] = [c for c in fake.calls("chat.update") if c.params["channel"] == "D333"]
    assert settled.params["ts"] == dm.response["ts"] and "is yours now" in blocks_text(settled)
    assert "held for you until" in blocks_text(settled) and "Take it" not in blocks_text(settled)
    assert "dibs_undo" in json.dumps(settled.params["blocks"])
    assert [c for c in fake.calls("chat.postEphemeral") if c.params["channel"] == "D333"] == []


def test_done_reaction_by_an_owner_completes_and_by_others_is_ignored(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    slack.event(reaction_event("reaction_added", "U2", post["ts"]))
    slack.event(reaction_event("reaction_added", "U9", post["ts"], reaction="white_check_mark"))
    assert "*Done*" not in last_update(fake)
    assert fake.calls("chat.postEphemeral") == []  # a stray ✅ is not scolded
    slack.event(reaction_event("reaction_added", "U2", post["ts"], reaction="white_check_mark"))
    assert "*Done* by <@U2>" in last_update(fake)
    assert "I'll take it" not in last_update(fake)


def test_buttons_claim_and_finish(dibs, slack, fake):
    post, reply = open_task(slack, fake)
    ts = reply.response["ts"]
    assert slack.interactive(block_action(ActionId.CLAIM, "1", "U5", ts, post["ts"])).status == 200
    assert "<@U5>" in last_update(fake)
    slack.interactive(block_action(ActionId.CLAIM, "1", "U5", ts, post["ts"]))
    assert "already own #1" in fake.calls("chat.postEphemeral")[-1].params["text"]
    slack.interactive(block_action(ActionId.DONE, "1", "U5", ts, post["ts"]))
    assert "*Done* by <@U5>" in last_update(fake)


def test_done_button_asks_for_proof_when_the_kind_needs_it(settings, fake):
    from bot.settings import DEFAULT_KINDS

    kinds = {
        **DEFAULT_KINDS,
        "blog_comment": DEFAULT_KINDS["blog_comment"].model_copy(update={"done_needs_link": True}),
    }
    bot = make_dibs(settings, kinds=kinds)
    slack = sender_for(bot)
    try:
        post, reply = open_task(slack, fake, text="Jane commented on our pricing post")
        slack.interactive(block_action(ActionId.CLAIM, "1", "U5", reply.response["ts"], post["ts"]))
        slack.interactive(block_action(ActionId.DONE, "1", "U5", reply.response["ts"], post["ts"]))
        [modal] = fake.calls("views.open")
        view = modal.params["view"]
        assert view["callback_id"] == CallbackId.DONE_LINK
        submit = view_submission(
            CallbackId.DONE_LINK,
            view["private_metadata"],
            {BlockId.LINK: {LINK_INPUT: {"type": "plain_text_input", "value": " "}}},
            "U5",
        )
        refused = slack.interactive(submit)
        assert refused.json()["response_action"] == "errors"
        link = "https://blog.example.com/pricing#comment-12 <!channel>"
        submit = view_submission(
            CallbackId.DONE_LINK,
            view["private_metadata"],
            {BlockId.LINK: {LINK_INPUT: {"type": "plain_text_input", "value": link}}},
            "U5",
        )
        assert slack.interactive(submit).status == 200
        shown = last_update(fake)
        assert "*Done* by <@U5>" in shown and "https://blog.example.com/pricing#comment-12 &lt;!channel&gt;" in shown
        assert "<!channel>" not in shown  # typed proof cannot ping anyone
        # The reaction cannot carry a link, so it asks for one instead of finishing.
        post2, _ = open_task(slack, fake, text="Bob commented on the launch post")
        slack.event(reaction_event("reaction_added", "U111", post2["ts"], reaction="white_check_mark"))
        assert "needs proof of done" in fake.calls("chat.postEphemeral")[-1].params["text"]
        assert "needs proof" in slack.command("done 2", user="U111").body
        assert "#2 is done" in slack.command("done 2 https://blog.example.com/launch#c-3", user="U111").body
        assert "https://blog.example.com/launch#c-3" in slack.command("list all").body
    finally:
        bot.shutdown()


def test_every_transition_is_in_the_audit_trail(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    slack.event(reaction_event("reaction_added", "U2", post["ts"]))
    slack.command("release 1", user="U2")
    slack.command("claim 1", user="U3")
    slack.command("done 1", user="U3")
    with dibs.db() as session:
        trail = [(e.action, e.actor, e.via) for e in session.scalars(select(TaskEvent).order_by(TaskEvent.id))]
    assert trail == [
        ("created", "U111", "message"),
        ("claimed", "U2", "reaction"),
        ("released", "U2", "command"),
        ("claimed", "U3", "command"),
        ("done", "U3", "command"),
    ]


def test_the_thread_names_the_kinds_owner_group(settings, fake):
    from bot.settings import DEFAULT_KINDS

    kinds = {**DEFAULT_KINDS, "event": DEFAULT_KINDS["event"].model_copy(update={"owner_group": "S0EVENTS"})}
    bot = make_dibs(settings, kinds=kinds)
    try:
        _, reply = open_task(sender_for(bot), fake)
        assert "<!subteam^S0EVENTS>" in blocks_text(reply)
    finally:
        bot.shutdown()


def test_buttons_on_a_task_that_is_gone_say_which_ids_exist(dibs, slack, fake):
    post, reply = open_task(slack, fake)
    for action in (ActionId.CLAIM, ActionId.DONE):
        assert slack.interactive(block_action(action, "42", "U5", reply.response["ts"], post["ts"])).status == 200
    notes = [c.params["text"] for c in fake.calls("chat.postEphemeral")]
    assert len(notes) == 2 and all("There is no task #42" in n and "#1" in n for n in notes)


def test_threads_name_the_kind_by_its_label_and_speak_of_seats_only_where_there_are_seats(dibs, slack, fake):
    _, booth = open_task(slack, fake)
    shown = blocks_text(booth)
    assert "*#1* · :calendar: Event: Who will staff this event?" in shown and "to take a seat and" in shown
    slack.event(message_event("Jane commented on our *pricing* post: does it work with `Outlook`?"))
    comment = blocks_text(fake.calls("chat.postMessage")[-1])
    assert "*#2* · :speech_balloon: Blog comment: Who will answer this comment?" in comment
    assert "to take it and" in comment and "seat" not in comment  # one slot: no seats to speak of
    assert "our pricing post: does it work with Outlook?" in comment  # the title without Slack's marks
    answer = slack.command("new blog comment  Reply to *Ana* on the launch post", user="U2").body
    assert answer.startswith("Posted #3")
    with dibs.db() as session:
        task = session.get(Task, 3)
        assert task is not None and (task.kind, task.title) == ("blog_comment", "Reply to *Ana* on the launch post")
    assert "Posted #4" in slack.command("new GIFT-Campaign Holiday boxes").body
    assert "There is no kind `party`. Kinds: Event, Blog comment, Gift campaign, Gift follow-up." in (
        slack.command("new party Friday drinks").body
    )


def test_someone_acting_on_themselves_reads_you(dibs, slack, fake):
    open_task(slack, fake)
    slack.command("claim 1", user="U2")
    assert slack.command("swap 1 <@U2>", user="U2").body == "You already hold a seat on #1."
    slack.command("claim 1", user="U3")
    assert slack.command("swap 1 <@U3>", user="U2").body == "<@U3> already holds a seat on #1."

"""Follow-ups that start outside a typed post: integration posts, the Track with Dibs shortcut,
routing, and gift campaigns tracked to the last recipient (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.slack.ids import BlockId, CallbackId
from store.models import GiftRecipient, Task
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import blocks_text, last_update, open_task
from tests.support.payloads import message_event, message_shortcut, overflow_choice, view_submission

RSS_POST = {
    "type": "message",
    "subtype": "bot_message",
    "bot_id": "BRSS",
    "text": "",
    "attachments": [
        {
            "fallback": "New post on the blog",
            "pretext": "Blog comments",
            "title": "Jane commented on Pricing",
            "text": "Does it work with Outlook?",
        }
    ],
}


def test_integration_posts_are_read_when_their_bot_is_accepted(settings, fake):
    bot = make_dibs(settings, accept_bots=frozenset({"BRSS", "AZAPIER"}))
    slack = sender_for(bot)
    try:
        slack.command("watch")
        slack.event({**message_event(""), **RSS_POST})  # the words are only in the attachment
        zapier = {**message_event("Booth request from the expo form"), "bot_id": "BZ1", "app_id": "AZAPIER"}
        slack.event({k: v for k, v in zapier.items() if k != "user"})
        slack.event({**message_event("A booth at the expo"), "bot_id": "BOTHER", "subtype": "bot_message"})
        with bot.db() as session:
            tasks = session.scalars(select(Task).order_by(Task.id)).all()
        assert [(t.kind, t.posted_by) for t in tasks] == [("blog_comment", "BRSS"), ("event", "BZ1")]
        assert tasks[0].title == "Blog comments"
    finally:
        bot.shutdown()


def test_rich_text_blocks_are_read_when_a_post_has_no_text(dibs, slack, fake):
    slack.command("watch")
    blocks = [{"type": "rich_text", "elements": [{"type": "rich_text_section",
               "elements": [{"type": "text", "text": "Forwarded: we have a booth at the trade show"}]}]}]  # fmt: skip
    slack.event(message_event("", blocks=blocks))
    with dibs.db() as session:
        assert session.scalars(select(Task.kind)).one() == "event"


def test_track_with_dibs_makes_any_message_a_task(dibs, slack, fake):
    chatter = message_event("Can someone check what the customer meant?")
    assert slack.interactive(message_shortcut(chatter)).status == 200
    [opened] = fake.calls("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == CallbackId.TRACK
    [menu] = [b["element"] for b in view["blocks"] if b.get("block_id") == BlockId.KIND]
    shown = [(o["text"]["text"], o["value"]) for o in menu["options"]]  # the label shows; the value is the key
    assert shown[:2] == [("Event", "event"), ("Blog comment", "blog_comment")]
    values = {
        BlockId.KIND: {"kind": {"type": "static_select", "selected_option": {"value": "blog_comment"}}},
        BlockId.TITLE: {"title": {"type": "plain_text_input", "value": "Answer the customer <!channel>"}},
        BlockId.DUE: {"due": {"type": "datepicker", "selected_date": None}},
    }
    submitted = view_submission(CallbackId.TRACK, view["private_metadata"], values, "U222")
    assert slack.interactive(submitted).status == 200
    [question] = [c for c in fake.calls("chat.postMessage") if c.params.get("thread_ts") == chatter["ts"]]
    assert "Who will answer this comment?" in blocks_text(question)
    with dibs.db() as session:
        task = session.scalars(select(Task)).one()
    assert (task.source, task.posted_by, task.private, task.title) == ("shortcut", "U222", True, "Answer the customer")
    slack.interactive(message_shortcut(chatter))
    assert "already #1" in fake.calls("chat.postEphemeral")[-1].params["text"]
    again = slack.interactive(view_submission(CallbackId.TRACK, view["private_metadata"], values, "U222"))
    assert "already has a task" in json.dumps(again.json())


def test_route_sets_the_group_the_question_and_reminders_mention(dibs, slack, fake):
    assert "ask <!subteam^S0EVENTS>" in slack.command("route event <!subteam^S0EVENTS|@events>").body
    _, reply = open_task(slack, fake)
    assert "<!subteam^S0EVENTS>" in blocks_text(reply)
    assert "Blog comment had no route" in slack.command("route blog_comment none").body
    assert (
        "New blog comment follow-ups ask <!subteam^S0BLOG>"
        in slack.command("route Blog comment <!subteam^S0BLOG>").body
    )
    assert "There is no kind `party`. Kinds: Event" in slack.command("route party none").body
    assert "no group" in slack.command("route event none").body
    assert "Write `/dibs route KIND @group`" in slack.command("route event @events").body


def test_list_by_kind(dibs, slack, fake):
    open_task(slack, fake)
    slack.event(message_event("Sending gifts to every customer"))
    listed = str(slack.command("list event").json())
    assert "#1" in listed and "#2" not in listed


def campaign(slack, fake, rows: int = 200) -> tuple[dict, dict]:
    """A gift campaign with `rows` recipients from a CSV shared in its thread."""
    post, reply = open_task(slack, fake, text="Sending gifts to every customer this week")
    csv = "name,email,company\n" + "".join(f"Person {n},p{n}@example.com,Company {n}\n" for n in range(rows))
    info = fake.add_file("F0CSV", "recipients.csv", csv.encode())
    shared = message_event("recipients", thread_ts=post["ts"], subtype="file_share", files=[info])
    assert slack.event(shared).status == 200
    return post, reply


def test_a_campaign_of_200_from_a_csv_with_3_missed_makes_3_follow_ups(dibs, slack, fake):
    _, reply = campaign(slack, fake)
    [note] = [c for c in fake.calls("chat.postEphemeral") if "recipients now" in c.params["text"]]
    assert "200 recipients now (200 new)" in note.params["text"] and note.params["user"] == "U111"
    assert "0 delivered · 0 missed · 200 pending (of 200)" in last_update(fake)
    slack.command("claim 1", user="U2")
    for n in (3, 50, 199):
        answer = slack.command(f"gift 1 missed person {n}", user="U2").body
        assert f"Person {n}: missed." in answer and "asks who will arrange a new gift" in answer
    assert "Person 7: delivered." in slack.command("gift 1 delivered PERSON   7", user="U2").body
    assert "no recipient called Nobody" in slack.command("gift 1 delivered Nobody", user="U2").body
    followups = [c for c in fake.calls("chat.postMessage") if "did not arrive" in str(c.params.get("text"))]
    assert len(followups) == 3 and "Person 50, Company 50" in blocks_text(followups[1])
    with dibs.db() as session:
        kinds = [t.kind for t in session.scalars(select(Task).order_by(Task.id))]
    assert kinds == ["gift_campaign", "gift_followup", "gift_followup", "gift_followup"]
    assert "1 delivered · 3 missed · 196 pending (of 200)" in last_update(fake)
    refused = slack.command("done 1", user="U2").body
    assert "still waits on 199 gifts" in refused and "Person 0" in refused
    listed = slack.command("gift 1", user="U2").json()
    assert len(listed["blocks"]) <= 50 and "more pending: `/dibs gift 1 delivered NAME`" in str(listed)
    chosen = slack.interactive(overflow_choice(f"1:{1 + 8}:delivered", "U2", reply.response["ts"]))
    assert chosen.status == 200 and "Person 8: delivered." in fake.calls("chat.postEphemeral")[-1].params["text"]


def test_a_campaign_is_done_only_when_every_gift_arrived_or_was_covered(dibs, slack, fake):
    campaign(slack, fake, rows=2)
    slack.command("claim 1", user="U2")
    slack.command("gift 1 delivered Person 0", user="U2")
    slack.command("gift 1 missed Person 1", user="U2")
    assert "still waits on 1 gift: Person 1" in slack.command("done 1", user="U2").body
    slack.command("claim 2", user="U3")
    slack.command("done 2", user="U3")
    assert "#1 is done" in slack.command("done 1", user="U2").body


def test_only_owners_the_poster_or_the_recipients_owner_mark_gifts(dibs, slack, fake):
    campaign(slack, fake, rows=2)
    assert "Only the owners of #1" in slack.command("gift 1 missed Person 0", user="U9").body
    with dibs.db() as session:
        assert {r.state for r in session.scalars(select(GiftRecipient))} == {"pending"}


def test_gifts_import_from_the_command_line(settings, fake, tmp_path):
    from bot.cli import import_gifts

    bot = make_dibs(settings)
    try:
        open_task(sender_for(bot), fake, text="Sending gifts to every customer")
        csv = tmp_path / "people.csv"
        csv.write_text("Name,Company,Owner\nAna,Acme,<@U0AB5>\nBo,,\n")
        assert import_gifts(settings.model_copy(), 1, str(csv)) == 0
        with bot.db() as session:
            rows = session.scalars(select(GiftRecipient).order_by(GiftRecipient.id)).all()
        assert [(r.name, r.company, r.owner) for r in rows] == [("Ana", "Acme", "U0AB5"), ("Bo", None, None)]
        assert import_gifts(settings, 99, str(csv)) == 2
    finally:
        bot.shutdown()


def test_a_csv_that_is_not_recipients_says_why(dibs, slack, fake):
    post, _ = open_task(slack, fake, text="Sending gifts to every customer")
    info = fake.add_file("F0BAD", "list.csv", b"email,company\na@x.com,Acme\n")
    slack.event(message_event("here", thread_ts=post["ts"], subtype="file_share", files=[info]))
    assert "with at least `name`" in fake.calls("chat.postEphemeral")[-1].params["text"]
    with dibs.db() as session:
        assert session.scalars(select(GiftRecipient)).all() == []

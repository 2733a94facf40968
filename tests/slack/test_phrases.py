"""Posts tracked by hand teach Dibs a phrase: three such posts with the same phrase make a suggestion the
admins see in `/dibs settings` and on their Home tab; once one accepts it (Add), the next such post is a task
(in-process, both databases)."""

from __future__ import annotations

from sqlalchemy import select

from bot.slack.ids import ActionId, BlockId, CallbackId
from store.models import Task
from tests.conftest import make_dibs, sender_for
from tests.slack.test_home import home_click, last_home, open_home, texts
from tests.support.fakeslack import FakeSlack
from tests.support.payloads import Sender, message_event, message_shortcut, view_submission

HERE = "T111"
POSTS = (
    "Ana asked on LinkedIn whether the beta waitlist is open, could one of us get back to her?",
    "Another beta waitlist question in the sales chat: what do we tell them?",
    "Beta waitlist: a partner wants in. Thoughts?",
)


def track(slack: Sender, fake: FakeSlack, post: dict, kind: str = "blog_comment") -> None:
    """Track with Dibs on `post`, choosing `kind`."""
    before = len(fake.calls("views.open"))
    assert slack.interactive(message_shortcut(post)).status == 200
    view = fake.calls("views.open")[before].params["view"]
    values = {
        BlockId.KIND: {"kind": {"type": "static_select", "selected_option": {"value": kind}}},
        BlockId.TITLE: {"title": {"type": "plain_text_input", "value": post["text"][:60]}},
        BlockId.DUE: {"due": {"type": "datepicker", "selected_date": None}},
    }
    submitted = view_submission(CallbackId.TRACK, view["private_metadata"], values, "U222")
    assert slack.interactive(submitted).status == 200


def test_three_hand_tracked_posts_suggest_a_phrase_an_admin_adds(settings, fake):
    bot = make_dibs(settings, admins="S0ADMINS")
    try:
        bot.services.admins.set_members(HERE, ["UADMIN"])
        slack = sender_for(bot)
        slack.command("watch", user="UADMIN")
        for text in POSTS[:2]:
            post = message_event(text)
            slack.event(post)  # no keyword: no task
            track(slack, fake, post)
        assert "Suggested phrases" not in slack.command("settings", user="UADMIN").body
        post = message_event(POSTS[2])
        slack.event(post)
        track(slack, fake, post)
        with bot.db() as session:
            assert session.scalars(select(Task.source)).all() == ["shortcut"] * 3

        shown = slack.command("settings", user="UADMIN").body
        assert (
            "Posts like this were tracked by hand 3 times this month: add 'beta waitlist' to Blog comment?"
            ' `/dibs settings phrase blog_comment "beta waitlist"` adds it' in shown
        )
        assert slack.event(message_event("The beta waitlists are full")).status == 200
        with bot.db() as session:
            assert len(session.scalars(select(Task)).all()) == 3  # nothing changes until an admin accepts

        assert "tracked by hand" not in slack.command("settings", user="U9").body  # for the admins
        refused = slack.command('settings phrase blog_comment "beta waitlist"', user="U9").body
        assert refused.startswith("Only members of <!subteam^S0ADMINS> can change")
        open_home(slack, "U9")
        assert "tracked by hand" not in texts(last_home(fake, "U9"))  # suggestions are for the admins
        open_home(slack, "UADMIN")
        home = last_home(fake, "UADMIN")
        [add] = [
            e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "Add"
        ]
        assert "add 'beta waitlist' to Blog comment?" in texts(home)
        click = home_click(ActionId.ADD_PHRASE, 0, user="UADMIN")
        click["actions"][0]["value"] = add["value"]
        assert slack.interactive(click).status == 200
        home = texts(last_home(fake, "UADMIN"))
        assert "Posts with 'beta waitlist' (in any word form) become Blog comment tasks" in home
        assert "tracked by hand" not in home
        shown = slack.command("settings", user="UADMIN").body
        assert "Suggested phrases" not in shown and "Phrases added here: Blog comment: 'beta waitlist'." in shown

        slack.event(message_event("The beta waitlists are full"))
        with bot.db() as session:
            newest = session.scalars(select(Task).order_by(Task.id.desc())).first()
        assert (newest.kind, newest.source, newest.title) == ("blog_comment", "message", "The beta waitlists are full")
        assert slack.command("settings", team="T222").body.count("beta waitlist") == 0  # the workspace's own
    finally:
        bot.shutdown()

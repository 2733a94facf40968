"""Two workspaces installed through the OAuth flow, one channel id in both: nothing sent from one
workspace can read or change the other's tasks, whatever ids it guesses (commands, forged buttons, the
proof modal, gift choices, reactions, App Home, the digest). Both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.slack.ids import LINK_INPUT, ActionId, BlockId, CallbackId
from store.models import Claim, OutboxPost, Task, TaskEvent
from tests.conftest import SECRET, make_dibs, sender_for
from tests.support.fakeslack import FakeSlack
from tests.support.installs import OAUTH, install, serving
from tests.support.payloads import (
    Sender,
    block_action,
    message_event,
    overflow_choice,
    reaction_event,
    view_submission,
)

OURS, THEIRS = "T222", "T333"  # THEIRS tries to reach OURS's tasks
CHANNEL = "C111"  # the same id in both workspaces: only the workspace tells them apart
SECRET_TITLE = "Booth at the Springfield Expo, our launch plans"


@pytest.fixture
def bot(settings):
    b = make_dibs(settings, bot_token=None, **OAUTH)
    yield b
    b.shutdown()


@pytest.fixture
def slack(bot, fake) -> Sender:
    with serving(bot.wsgi()) as base:
        for team in (OURS, THEIRS):
            assert install(base, fake, team).status == 200
    sender = sender_for(bot)
    sender.command("watch", user="UADMIN", team=OURS)
    sender.event(message_event(f"We got a {SECRET_TITLE}"), team=OURS)
    sender.command("new event Gift swag for the Expo", user="U111", team=OURS)  # a second task, #2
    sender.command("watch", user="UADMIN", team=THEIRS)
    return sender


def untouched(bot) -> None:
    """OURS's tasks are as they were made: open, nobody on them, nothing recorded but their creation."""
    with bot.db() as session:
        tasks = session.scalars(select(Task).order_by(Task.id)).all()
        assert [(t.team_id, t.status, t.due_on, t.snoozed_until) for t in tasks] == [(OURS, "open", None, None)] * 2
        assert session.scalar(select(func.count()).select_from(Claim)) == 0
        assert {e.action for e in session.scalars(select(TaskEvent))} == {"created"}


def said_to(fake: FakeSlack, team: str) -> str:
    """Everything Dibs sent with `team`'s token."""
    [token] = fake.tokens_of(team)
    return " ".join(json.dumps(c.params) for c in fake.calls() if c.token == token)


GUESSES = [
    "claim 1",
    "release 1",
    "done 1",
    "done 2 https://example.com/proof",
    "assign 1 <@U999|mallory>",
    "snooze 1 2d",
    "due 1 2027-03-01",
    "gift 2",
    "gift 2 delivered Ana Lee",
    "gift 2 missed Ana Lee",
]


@pytest.mark.parametrize("text", GUESSES)
def test_commands_with_the_other_workspaces_ids_find_no_task(bot, slack, fake, text):
    answer = slack.command(text, user="U999", team=THEIRS).body
    assert "There is no task #" in answer and "There are no open tasks in this workspace." in answer
    untouched(bot)
    assert "Springfield" not in said_to(fake, THEIRS)


def test_guessing_every_id_finds_nothing_and_lists_show_nothing(bot, slack, fake):
    for task_id in range(1, 30):
        assert "There is no task" in slack.command(f"claim {task_id}", user="U999", team=THEIRS).body
    for which in ("", "all", "unclaimed", "mine"):
        listed = slack.command(f"list {which}", user="U999", team=THEIRS).body
        assert "Springfield" not in listed and "#1" not in listed
    slack.command("digest", user="U999", team=THEIRS)
    assert "#1" in slack.command("list", user="U1", team=OURS).body  # the tasks are there, for OURS
    untouched(bot)
    assert "Springfield" not in said_to(fake, THEIRS)


def forged_clicks(thread_ts: str) -> list[dict]:
    return [
        block_action(ActionId.CLAIM, "1", "U999", thread_ts, thread_ts, team=THEIRS),
        block_action(ActionId.DONE, "1", "U999", thread_ts, thread_ts, team=THEIRS),
        block_action(ActionId.CLAIM, "2", "U999", thread_ts, thread_ts, team=THEIRS),
        {**overflow_choice("2:1:delivered", "U999", thread_ts), "team": {"id": THEIRS, "domain": "x"}},
        view_submission(
            CallbackId.DONE_LINK, json.dumps({"task": 1}), {BlockId.LINK: {LINK_INPUT: {"value": "x"}}}, "U999", THEIRS
        ),
    ]


def test_forged_buttons_and_modals_change_nothing(bot, slack, fake):
    with bot.db() as session:
        thread_ts = session.scalars(select(Task.message_ts).where(Task.id == 1)).one()
    for payload in forged_clicks(thread_ts):
        assert slack.interactive(payload).status == 200
    untouched(bot)
    notes = [c for c in fake.calls("chat.postEphemeral") if c.token == fake.tokens_of(THEIRS)[0]]
    assert notes and all("Springfield" not in str(c.params) for c in notes)
    assert "There is no task #1" in str([c.params["text"] for c in notes])


def test_reactions_on_the_other_workspaces_posts_do_nothing(bot, slack, fake):
    with bot.db() as session:
        stamps = session.execute(select(Task.message_ts, Task.reply_ts).where(Task.id == 1)).one()
    for ts in stamps:
        for emoji in ("raising_hand", "white_check_mark"):
            slack.event(reaction_event("reaction_added", "U999", ts, reaction=emoji), team=THEIRS)
    untouched(bot)


def test_app_home_shows_only_the_workspaces_own_tasks(bot, slack, fake):
    slack.command("claim 1", user="U5", team=OURS)
    home = {"type": "app_home_opened", "user": "U5", "channel": "D1", "tab": "home", "event_ts": "1.1"}
    slack.event(home, team=THEIRS)
    slack.event(home, team=OURS)
    views = {c.token: json.dumps(c.params["view"]) for c in fake.calls("views.publish")}
    assert "Springfield" not in views[fake.tokens_of(THEIRS)[0]]
    assert "Springfield" in views[fake.tokens_of(OURS)[0]]


def test_nothing_is_ever_queued_for_one_workspace_about_the_others_tasks(bot, slack, fake):
    for text in GUESSES:
        slack.command(text, user="U999", team=THEIRS)
    with bot.db() as session:
        theirs = session.scalars(select(OutboxPost).where(OutboxPost.team_id == THEIRS)).all()
        ours_ids = set(session.scalars(select(Task.id)))
    assert theirs and all(p.task_id not in ours_ids for p in theirs)
    assert Sender(SECRET, app=bot.app).command("claim 1", user="U1", team=OURS).json()["text"].startswith("You own #1")


def test_stats_export_and_home_clicks_see_only_their_own_workspace(bot, slack, fake):
    slack.command("claim 1", user="U5", team=OURS)
    stats = slack.command("stats all", user="U999", team=THEIRS).json()["text"]
    assert stats.startswith("Stats for the last 30 days: 0 created, 0 claimed, 0 done")
    assert "U5" not in slack.command("stats all", user="U999", team=THEIRS).body
    assert "2 created, 1 claimed" in slack.command("stats", user="U5", team=OURS).json()["text"]
    slack.command("export all", user="U999", team=THEIRS)
    [exported] = fake.uploaded()
    assert exported["content"].decode().splitlines()[1:] == []  # the header alone
    for action in (ActionId.CLAIM, ActionId.RELEASE, ActionId.DONE):
        click = {
            "type": "block_actions", "user": {"id": "U5", "team_id": THEIRS}, "team": {"id": THEIRS},
            "container": {"type": "view", "view_id": "V1"}, "view": {"id": "V1", "type": "home"},
            "trigger_id": "1.2", "actions": [{"action_id": action, "value": "1", "type": "button"}],
        }  # fmt: skip
        slack.interactive(click)
    with bot.db() as session:
        assert session.scalars(select(Claim.user_id)).all() == ["U5"]  # OURS's claim, untouched
        assert session.get(Task, 1).status == "claimed"

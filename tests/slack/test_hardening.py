"""What probing Dibs the way an operator would turned up (issue "Run Dibs the way an operator would"): requests
from a workspace Dibs is not installed in, Home-tab clicks on private tasks, over-long ids and text, events
Slack really sends, forged modal submissions. In-process with signed requests, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from bot.slack.ids import LINK_INPUT, ActionId, BlockId, CallbackId
from store.models import Claim, Route, Task, WatchedChannel, WorkspaceSetting
from tests.slack.test_home import home_click, open_home
from tests.support.helpers import BOOTH, blocks_text, open_task
from tests.support.payloads import (
    CHANNEL,
    block_action,
    event_envelope,
    message_event,
    reaction_event,
    view_submission,
)

OTHER = "T999"  # a workspace Dibs's one bot token does not belong to (that is T111)
ELSEWHERE = "another workspace"


def count(dibs, model) -> int:
    with dibs.db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    "text", ["watch", "settings timezone Europe/Paris", "route event <!subteam^S0EVENTS>", "new event Booth", "digest"]
)
def test_a_command_from_another_workspace_changes_nothing_and_says_so(dibs, slack, fake, text):
    answer = slack.command(text, user="UADMIN", team=OTHER)
    assert answer.status == 200 and ELSEWHERE in answer.json()["text"]
    assert count(dibs, WatchedChannel) == count(dibs, Task) == count(dibs, WorkspaceSetting) == count(dibs, Route) == 0
    assert not fake.calls("chat.postMessage") and not fake.calls("conversations.join")


def test_a_click_or_event_from_another_workspace_changes_nothing(dibs, slack, fake):
    post, reply = open_task(slack, fake)
    where = fake.response_url("click")
    click = block_action(ActionId.CLAIM, "1", "U5", reply.response["ts"], post["ts"], where, team=OTHER)
    assert slack.interactive(click).status == 200
    fake.wait_for("response_url")
    assert ELSEWHERE in fake.response_urls[-1].params["text"]
    values = {BlockId.TITLE: {"title": {"type": "plain_text_input", "value": "Answer"}}}
    metadata = json.dumps({"channel": CHANNEL, "ts": post["ts"]})
    form = slack.interactive(view_submission(CallbackId.TRACK, metadata, values, "U5", team=OTHER)).json()
    assert form["response_action"] == "errors" and ELSEWHERE in form["errors"][BlockId.TITLE]
    assert slack.event(reaction_event("reaction_added", "U6", post["ts"], channel="C222"), team=OTHER).status == 200
    assert slack.event(message_event(BOOTH, channel="C222"), team=OTHER).status == 200
    assert count(dibs, Claim) == 0 and count(dibs, Task) == 1


def test_a_shared_channels_event_counts_for_the_installed_workspace(dibs, slack, fake):
    """Slack Connect: someone of another organisation posts in a channel the installed workspace watches."""
    slack.command("watch", user="UADMIN")
    assert slack.event(message_event(BOOTH, user="U0THEIRS"), team=OTHER).status == 200  # sent for OTHER's install
    assert count(dibs, Task) == 0
    body = event_envelope(message_event(BOOTH), team="T111") | {"team_id": OTHER}  # authorised for T111
    assert slack.raw(json.dumps(body), "application/json").status == 200
    with dibs.db() as session:
        assert session.scalars(select(Task.team_id)).all() == ["T111"]


def test_a_home_click_on_a_private_task_needs_its_channel(dibs, slack, fake):
    slack.command("watch", channel="G111", user="UADMIN")
    slack.event(message_event(BOOTH, channel="G111", channel_type="group"))
    fake.set_memberships("U9", [CHANNEL])  # not in G111
    open_home(slack, "U9")
    assert slack.interactive(home_click(ActionId.CLAIM, 1, user="U9")).status == 200
    assert count(dibs, Claim) == 0
    fake.set_memberships("U8", [CHANNEL, "G111"])
    open_home(slack, "U8")
    slack.interactive(home_click(ActionId.CLAIM, 1, user="U8"))
    with dibs.db() as session:
        assert session.scalars(select(Claim.user_id)).all() == ["U8"]


@pytest.mark.parametrize(
    "text",
    [
        "route event <!subteam^S" + "A" * 40 + ">",
        "assign 1 <@U" + "A" * 40 + ">",
        "swap 1 <@U" + "A" * 40 + ">",
        "swap 1 <@U111> <@U" + "A" * 40 + ">",
    ],
)
def test_an_over_long_id_gets_the_form_that_works(dibs, slack, fake, text):
    open_task(slack, fake)
    slack.command("claim 1", user="U111")
    answer = slack.command(text, user="U111")
    assert answer.status == 200 and "Write `/dibs" in answer.body, answer.body


def test_a_reaction_on_a_file_is_acknowledged_and_ignored(dibs, fake):
    from bot.web import shape_problem

    for item in ({"type": "file", "file": "F111"}, {"type": "file_comment", "file": "F111", "file_comment": "Fc1"}):
        event = {"type": "reaction_added", "user": "U2", "reaction": "raising_hand", "item": item, "event_ts": "1.2"}
        assert shape_problem(json.dumps(event_envelope(event)), "application/json") is None


def test_slacks_ssl_check_gets_200(dibs):
    from io import BytesIO

    body = b"ssl_check=1&token=verification_token"
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "", "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "wsgi.input": BytesIO(body), "SERVER_NAME": "x",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
    }  # fmt: skip
    status: list[str] = []
    dibs.wsgi()(environ, lambda s, headers, *rest: status.append(s))
    assert status[0].startswith("200")


def test_an_unknown_huge_command_is_quoted_short(dibs, slack):
    answer = slack.command("x" * 100_000).body
    assert len(answer) < 300 and "I don't know `/dibs xxx" in answer and "…" in answer
    assert len(slack.command("claim " + "y" * 100_000).body) < 300


def test_bidi_controls_are_dropped_and_an_invisible_title_is_refused(dibs, slack, fake):
    slack.command("new event Booth \u202eat the expo", response_url=fake.response_url("new"))
    with dibs.db() as session:
        assert session.scalars(select(Task.title)).one() == "Booth at the expo"
    refused = slack.command("new event \u200b\u200c\u200d\u2060\ufeff").body
    assert "needs a kind and a title" in refused
    assert count(dibs, Task) == 1


@pytest.mark.parametrize(
    "metadata",
    [
        "not json",
        "[1, 2]",
        json.dumps({"channel": "general!", "ts": "1596183001.000002"}),
        json.dumps({"channel": "C111"}),
        json.dumps({"channel": ["C111"], "ts": "1.2"}),
        json.dumps({"channel": "C111", "ts": "nope"}),
    ],
)
def test_a_forged_track_form_is_refused_in_the_form(dibs, slack, fake, caplog, metadata):
    values = {
        BlockId.KIND: {"kind": {"type": "static_select", "selected_option": {"value": "blog_comment"}}},
        BlockId.TITLE: {"title": {"type": "plain_text_input", "value": "Answer the customer"}},
    }
    with caplog.at_level(logging.WARNING):
        answer = slack.interactive(view_submission(CallbackId.TRACK, metadata, values, "U222"))
    assert answer.status == 200 and answer.json()["response_action"] == "errors", answer.body
    assert count(dibs, Task) == 0
    assert "private_metadata" in caplog.text


@pytest.mark.parametrize("metadata", ["not json", "{}", json.dumps({"task": "x"}), json.dumps({"task": [1]})])
def test_a_forged_proof_form_is_refused_in_the_form(dibs, slack, fake, metadata):
    open_task(slack, fake)
    values = {BlockId.LINK: {LINK_INPUT: {"type": "plain_text_input", "value": "https://example.com"}}}
    answer = slack.interactive(view_submission(CallbackId.DONE_LINK, metadata, values, "U222"))
    assert answer.status == 200 and answer.json()["response_action"] == "errors", answer.body
    with dibs.db() as session:
        assert session.scalars(select(Task.status)).one() == "open"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # drawing, not storage: one database is enough
def test_a_crowded_thread_stays_within_slacks_limit(dibs, slack, fake):
    """Two hundred claimants: the thread names ten and counts the rest (tests/unit/test_crowds.py draws 500)."""
    open_task(slack, fake)
    slack.command("roles 1 staff=2", user="U111")
    for n in range(200):
        slack.command("claim 1", user=f"U{7000 + n}")
    shown = [
        c for c in fake.calls("chat.update") if c.params.get("ts") and not str(c.params["channel"]).startswith("D")
    ]
    assert all(len(str(c.params.get("text") or "")) <= 3000 for c in shown)
    assert all(c.status == 200 for c in fake.calls("chat.update"))
    assert "more" in blocks_text(shown[-1])

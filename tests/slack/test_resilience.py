"""Slack failing, Slack rate-limiting, and malformed payloads: answered, logged, nothing lost."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from bot.slack.ids import ActionId
from store.models import OutboxPost, Task, utcnow
from tests.support.helpers import BOOTH, last_update, open_task
from tests.support.payloads import block_action, message_event, reaction_event


def test_a_slack_outage_never_loses_the_ownership_thread(dibs, slack, fake, caplog):
    slack.command("watch")
    fake.fail_next("chat.postMessage", status=503, count=10)
    post = message_event(BOOTH)
    with caplog.at_level(logging.INFO):
        assert slack.event(post).status == 200  # kept before Slack was even asked
    assert "trying again" in caplog.text
    attempts = fake.calls("chat.postMessage")
    assert len(attempts) == 3 and {c.status for c in attempts} == {503}  # first try + 2 retries
    with dibs.db() as session:
        task = session.scalars(select(Task)).one()
        row = session.scalars(select(OutboxPost).where(OutboxPost.purpose == "thread")).one()
        assert task.reply_ts is None and task.thread_version < task.version and row.last_error
    # Slack is back: the courier posts the thread, once, when the back-off is over.
    fake.clear()
    assert dibs.deliver(utcnow() + timedelta(minutes=2)) == 1
    [reply] = fake.calls("chat.postMessage")
    assert reply.params["thread_ts"] == post["ts"]
    assert dibs.deliver(utcnow() + timedelta(minutes=3)) == 0
    assert len(fake.calls("chat.postMessage")) == 1


def test_a_failed_thread_update_is_retried_and_the_claim_is_kept(dibs, slack, fake):
    post, _ = open_task(slack, fake)
    fake.fail_next("chat.update", status=500, count=10)
    slack.event(reaction_event("reaction_added", "U2", post["ts"]))
    assert "You own" not in str(fake.calls("chat.postEphemeral"))
    fake.clear()
    assert dibs.deliver(utcnow() + timedelta(minutes=2)) == 1
    assert "<@U2>" in last_update(fake)


def test_rate_limited_calls_wait_for_retry_after(dibs, slack, fake):
    slack.command("watch")
    fake.fail_next("chat.postMessage", status=429, retry_after=30)
    slack.event(message_event(BOOTH))
    assert [c.status for c in fake.calls("chat.postMessage")] == [429]
    assert dibs.deliver(utcnow() + timedelta(seconds=20), linger=timedelta(0)) == 0  # not before Retry-After
    assert len(fake.calls("chat.postMessage")) == 1
    assert dibs.deliver(utcnow() + timedelta(seconds=31)) == 1
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]


def test_a_malformed_button_is_logged_and_answered(dibs, slack, fake, caplog):
    post, reply = open_task(slack, fake)
    payload = block_action(ActionId.CLAIM, "not-a-task", "U2", reply.response["ts"], post["ts"])
    with caplog.at_level(logging.WARNING):
        answer = slack.interactive(payload)
    assert answer.status == 200
    assert "a button without a task id" in caplog.text
    [note] = fake.calls("chat.postEphemeral")
    assert note.params["user"] == "U2" and "That button no longer works" in note.params["text"]
    with dibs.db() as session:
        assert session.scalars(select(Task)).one().status == "open"

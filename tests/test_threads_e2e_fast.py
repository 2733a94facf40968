"""The core loop through Bolt in-process: watch, post, thread, claim, done (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.payloads import CHANNEL, message_event, reaction_event


def watch(slack, fake):
    reply = slack.command("watch", user="UADMIN")
    assert reply.status == 200
    return reply


def test_marketing_post_gets_one_ownership_thread(dibs, slack, fake):
    watch(slack, fake)
    post = message_event("We got a booth at the Springfield Expo on Dec 12 - who can staff it?")
    assert slack.event(post).status == 200
    [call] = fake.calls("chat.postMessage")
    assert call.params["channel"] == CHANNEL
    assert call.params["thread_ts"] == post["ts"]
    text = str(call.params["blocks"])
    assert "Who will staff this event?" in text
    assert "I'll take it" in text and "Done" in text and ":raising_hand:" in text

"""The courier: what Slack refuses for good is given up once, what fails for a while is retried,
a 429 holds up only its conversation, a crash never doubles a question, missed posts are read back."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import select, update

from store.models import OutboxPost, Task, utcnow
from tests.conftest import sender_for
from tests.support.helpers import BOOTH, last_update, open_task
from tests.support.payloads import CHANNEL, message_event, reaction_event


def later(**delta: float):
    return utcnow() + timedelta(**delta)


def test_an_archived_channel_is_given_up_and_logged_once(dibs, slack, fake, caplog):
    slack.command("watch")
    fake.set_response("chat.postMessage", {"ok": False, "error": "is_archived"})
    with caplog.at_level(logging.DEBUG, logger="bot"):
        for n in range(3):
            assert slack.event(message_event(f"Booth number {n} at the expo")).status == 200
        dibs.deliver(later(hours=1))
    assert len(fake.calls("chat.postMessage")) == 3  # one try each: retrying cannot change that answer
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "is_archived" in r.getMessage()]
    assert len(warnings) == 1 and "C111" in warnings[0].getMessage()
    with dibs.db() as session:
        tasks = session.scalars(select(Task)).all()
        threads = session.scalars(select(OutboxPost).where(OutboxPost.purpose == "thread")).all()
    assert len(tasks) == 3 and all(t.thread_version == t.version and not t.thread_queued for t in tasks)
    assert [(p.state, p.last_error) for p in threads] == [("failed", "is_archived")] * 3


def test_a_direct_message_lost_in_an_outage_is_sent_once_it_ends(dibs, slack, fake):
    post, _ = open_task(slack, fake, text="Sending gifts to every customer")  # one slot
    slack.event(reaction_event("reaction_added", "U1", post["ts"]))
    slack.event(reaction_event("reaction_added", "U2", post["ts"]))  # waits in line
    fake.fail_next("*", status=500, count=30)  # longer than slack_sdk's own retries, several times over
    slack.event(reaction_event("reaction_removed", "U1", post["ts"]))  # U2 is offered the seat by DM
    assert not [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U2" and c.status == 200]
    fake.clear()
    dibs.deliver(later(minutes=5))
    [dm] = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U2"]
    assert "held for you until" in dm.params["text"]
    assert "offered to <@U2>" in last_update(fake)
    dibs.deliver(later(minutes=10))
    assert len([c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U2"]) == 1


def test_a_429_holds_up_only_its_own_channel(dibs, slack, fake):
    for channel in ("C111", "C222"):
        slack.command("watch", channel=channel)
    fake.fail_next("chat.postMessage", status=429, retry_after=30)
    first = message_event(BOOTH, channel="C111")
    second = message_event(BOOTH, channel="C222")
    slack.event(first)
    slack.event(second)
    answered = {c.params.get("thread_ts"): c.status for c in fake.calls("chat.postMessage")}
    assert answered == {first["ts"]: 429, second["ts"]: 200}
    assert dibs.deliver(later(seconds=31)) == 1  # C111's question, once Retry-After is over
    assert [c.status for c in fake.calls("chat.postMessage") if c.params["thread_ts"] == first["ts"]] == [429, 200]


def test_the_background_courier_sends_everything_a_429_held_up(dibs, fake):
    """Rows handed to the running courier as they were written are freed when a 429 pauses their channel."""
    slack = sender_for(dibs)
    slack.command("watch")
    slack.after = None  # the courier's own workers deliver
    dibs.courier.start()
    try:
        fake.outage(1.5, status=429, retry_after=1)
        posts = [message_event(f"Expo booth {n} needs people") for n in range(5)]
        for post in posts:
            slack.event(post)
        for post in posts:
            fake.wait_for(
                "chat.postMessage", timeout=30,
                predicate=lambda c, ts=post["ts"]: c.params.get("thread_ts") == ts and c.status == 200,
            )  # fmt: skip
    finally:
        dibs.courier.stop()


def test_a_question_a_crashed_process_posted_is_not_posted_again(dibs, slack, fake):
    post, reply = open_task(slack, fake)
    # As if the process died between Slack's answer and storing it: no reply ts, a lease it never gave back.
    with dibs.db.begin() as session:
        session.execute(update(Task).values(reply_ts=None, thread_version=0, thread_queued=True))
        session.execute(
            update(OutboxPost)
            .where(OutboxPost.purpose == "thread")
            .values(state="pending", lease_owner="dead-process", lease_until=later(seconds=-1))
        )
    dibs.deliver()
    assert [c.params["ts"] for c in fake.calls("conversations.replies")] == [post["ts"]]
    assert len(fake.calls("chat.postMessage")) == 1  # the reply found in the thread is updated instead
    assert fake.calls("chat.update")[-1].params["ts"] == reply.response["ts"]
    with dibs.db() as session:
        assert session.scalars(select(Task.reply_ts)).one() == reply.response["ts"]


def test_posts_made_while_dibs_was_away_become_tasks(dibs, slack, fake):
    slack.command("watch")
    since = time.time()  # after the channel was watched
    missed = [
        message_event("We booked a booth at the Springfield Expo", ts=f"{since + 1:.6f}"),
        message_event("lunch at noon?", ts=f"{since + 2:.6f}"),
        {
            **message_event("New gift campaign scheduled", ts=f"{since + 3:.6f}"),
            "bot_id": "B999",
            "subtype": "bot_message",
        },
        message_event("Sending gifts to every customer", ts=f"{since + 4:.6f}"),
    ]
    for message in missed:
        fake.add_history(CHANNEL, {k: v for k, v in message.items() if k != "channel"})
    assert dibs.catch_up() == 2
    dibs.deliver()
    questions = {c.params["thread_ts"] for c in fake.calls("chat.postMessage") if "thread_ts" in c.params}
    assert questions == {missed[0]["ts"], missed[3]["ts"]}
    assert dibs.catch_up() == 0  # read once: the next catch-up starts after the newest post
    assert fake.calls("conversations.history")[-1].params["oldest"] == missed[3]["ts"]


def test_scheduled_posts_never_block_on_a_busy_outbox(dibs, slack, fake):
    open_task(slack, fake)
    with dibs.db() as session:
        pending = session.scalars(select(OutboxPost).where(OutboxPost.state == "pending")).all()
    assert pending == []  # everything the post queued went out: the join, the question

"""Small steps shared by the end-to-end tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.app import Dibs
from store.db import normalise_url
from store.models import Task, WatchedChannel
from tests.support.fakeslack import Call, FakeSlack
from tests.support.payloads import Sender, message_event

BOOTH = "We got a booth at the Springfield Expo - who can staff it?"  # no day named: no due date


def blocks_text(call: Call) -> str:
    """Everything a message shows: its fallback text and its blocks, as one string."""
    return f"{call.params.get('text', '')} {call.params.get('blocks', '')}"


def open_task(slack: Sender, fake: FakeSlack, text: str = BOOTH, **extra: Any) -> tuple[dict, Call]:
    """Watch the channel, post `text`, return the post and the bot's thread reply."""
    slack.command("watch", user="UADMIN")
    before = len(fake.calls("chat.postMessage"))
    post = message_event(text, **extra)
    assert slack.event(post).status == 200
    [reply] = fake.wait_for("chat.postMessage", count=before + 1)[before:]
    assert reply.params["thread_ts"] == post["ts"]
    return post, reply


def list_posts(fake: FakeSlack) -> list[Call]:
    """Each time Slack accepted a channel's standing list of open follow-ups as a new message (posted, or moved to
    the bottom of the channel by a reminder or the morning edition)."""
    return [
        c
        for c in fake.calls("chat.postMessage")
        if (c.params.get("metadata") or {}).get("event_type") == "dibs_list" and c.status == 200
    ]


def nags(fake: FakeSlack) -> list[Call]:
    """Reminders Slack accepted: the channel's list moved to the bottom, saying who is still waiting."""
    return [c for c in list_posts(fake) if "Still waiting for someone" in str(c.params.get("text"))]


def list_updates(fake: FakeSlack) -> list[Call]:
    """Updates in place of a channel's standing list."""
    shown = {str((c.response or {}).get("ts")) for c in list_posts(fake)}
    return [c for c in fake.calls("chat.update") if c.params.get("ts") in shown]


def last_update(fake: FakeSlack) -> str:
    """What the thread reply shows now (updates of Dibs's direct messages and of the list are not thread replies)."""
    lists = {str((c.response or {}).get("ts")) for c in list_posts(fake)}
    return blocks_text(
        [
            c
            for c in fake.calls("chat.update")
            if not str(c.params.get("channel")).startswith("D") and c.params.get("ts") not in lists
        ][-1]
    )


def tick(bot: Dibs) -> None:
    """One scheduler tick of `bot` at its clock's now, and the delivery of what it planned."""
    now = bot.services.now()
    bot.tick(now)
    bot.deliver(now)


def wait_until(predicate: Callable[[], object], timeout: float = 15.0, what: str = "a condition") -> None:
    """Poll `predicate` until it is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def replies_stored(database_url: str, count: int = 1) -> None:
    """Wait until `count` tasks have their thread reply's ts stored (reactions on the reply find them)."""
    engine = create_engine(normalise_url(database_url))
    try:

        def stored() -> bool:
            with engine.connect() as connection:
                return (connection.scalar(select(func.count()).where(Task.reply_ts.is_not(None))) or 0) >= count

        wait_until(stored, what=f"{count} stored thread replies")
    finally:
        engine.dispose()


def watched_since_yesterday(database_url: str) -> None:
    """Date every watch a day back, so today's digest is each channel's (a channel watched after the digest
    time gets its first one the next day)."""
    engine = create_engine(normalise_url(database_url))
    try:
        with Session(engine) as session, session.begin():
            for row in session.scalars(select(WatchedChannel)):
                row.added_at -= timedelta(days=1)
    finally:
        engine.dispose()

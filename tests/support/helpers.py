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

BOOTH = "We got a booth at the Springfield Expo on Dec 12 - who can staff it?"


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


def last_update(fake: FakeSlack) -> str:
    """What the thread reply shows now (updates of Dibs's direct messages are not thread replies)."""
    return blocks_text([c for c in fake.calls("chat.update") if not str(c.params.get("channel")).startswith("D")][-1])


def nags(fake: FakeSlack, thread_ts: str | None = None) -> list[Call]:
    """Reminders Slack accepted, in any thread or in the given one."""
    return [
        c
        for c in fake.calls("chat.postMessage")
        if "still unclaimed" in str(c.params.get("text"))
        and c.status == 200
        and (thread_ts is None or c.params.get("thread_ts") == thread_ts)
    ]


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

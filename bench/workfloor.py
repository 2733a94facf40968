"""The work floor: a bare slack-bolt app that does the least a correct Dibs must do, and nothing more.

Served like the framework floor (bench/floor.py: same waitress server, threads, signature checks, GET
/healthz, auth.test at start), with Bolt's `process_before_response` as in Dibs, so a listener's write
is committed before Slack gets its 200:

- a keyword post (a top-level `message` whose text names one of the `event` kind's keywords, as all of
  bench/load.py's posts do): one INSERT of a row (event id, channel, ts, user, text) in one transaction
  before the ack; after it, on a worker thread (a pool of 4, like Dibs's courier), `chat.postMessage` of
  the question into the post's thread, then one UPDATE storing the question's ts (a restarted process
  must find the message to update);
- a claim (`reaction_added` with `raising_hand` on a post that has a row): one INSERT ... SELECT (the
  claim, only if the post's row exists) in one transaction before the ack; after it, on a worker,
  `chat.update` of the question. If the question is not posted yet, the update waits for it without
  holding a worker (it is queued when the question's future completes);
- chatter, anything else, and `/dibs` (`/dibs watch` in the benchmark): ack, nothing else.

The database is SQLAlchemy Core on DATABASE_URL through Dibs's own `store.db.make_engine` (so the same
durability: SQLite in WAL with synchronous=NORMAL and BEGIN IMMEDIATE; PostgreSQL through psycopg with
the same pool). Its one table is created at start. A repeated event id is acknowledged and ignored.

    python -m bench.workfloor --host 127.0.0.1 --port 3000 --threads 8
"""

from __future__ import annotations

import logging
import os
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy import Column, Engine, Index, MetaData, String, Table, Text, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from bench.floor import bolt_app, serve
from store.db import make_engine

log = logging.getLogger("workfloor")
# Dibs's default `event` kind (bot/settings/model.py), matched as Dibs matches keywords: whole words.
KEYWORDS = ("booth", "event", "expo", "conference", "trade show", "meetup", "webinar")
KEYWORD = re.compile(
    r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, k.split())) for k in KEYWORDS) + r")(?!\w)", re.IGNORECASE
)
CLAIM_EMOJI = "raising_hand"
QUESTION = "Who will staff this event?"
WORKERS = 4

metadata = MetaData()
rows = Table(
    "workfloor",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("kind", String(8), nullable=False),  # "post" or "claim"
    Column("channel", String(32), nullable=False),
    Column("ts", String(32), nullable=False),  # the post's ts (a claim's: the post it claims)
    Column("user_id", String(32)),
    Column("text", Text),
    Column("question_ts", String(32)),  # a post's question, once posted
    Index("ix_workfloor_post", "channel", "ts", "kind"),
)


def is_keyword_post(event: dict[str, Any]) -> bool:
    """A person's top-level post naming one of the keywords."""
    if event.get("subtype") or event.get("bot_id") or event.get("thread_ts") not in (None, event.get("ts")):
        return False
    return KEYWORD.search(str(event.get("text") or "")) is not None


class WorkFloor:
    """The durable writes before the ack and the Slack calls after it."""

    def __init__(self, engine: Engine, client: WebClient, workers: int = WORKERS) -> None:
        self.engine, self.client = engine, client
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="workfloor")
        self._questions: dict[tuple[str, str], Future[str]] = {}  # (channel, post ts) -> the question's ts
        self._lock = threading.Lock()

    def post(self, event: dict[str, Any], event_id: str) -> None:
        """Before the ack: record the post. After: ask the question in its thread."""
        channel, ts = str(event["channel"]), str(event["ts"])
        values = {"event_id": event_id, "kind": "post", "channel": channel, "ts": ts,
                  "user_id": event.get("user"), "text": event.get("text")}  # fmt: skip
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(rows).values(values))
        except IntegrityError:
            return  # a repeated delivery: its question is on its way already
        question: Future[str] = Future()
        with self._lock:
            self._questions[(channel, ts)] = question
        self.pool.submit(self._ask, channel, ts, event_id, question)

    def claim(self, event: dict[str, Any], event_id: str) -> None:
        """Before the ack: record the claim if the post has a row. After: update the question."""
        item = event.get("item") or {}
        channel, ts, user = str(item.get("channel")), str(item.get("ts")), str(event.get("user"))
        post = (
            select(literal(event_id), literal("claim"), rows.c.channel, rows.c.ts, literal(user))
            .where(rows.c.kind == "post", rows.c.channel == channel, rows.c.ts == ts)
            .limit(1)
        )
        claim = insert(rows).from_select(["event_id", "kind", "channel", "ts", "user_id"], post).returning(rows.c.ts)
        try:
            with self.engine.begin() as connection:
                added = connection.execute(claim).first()
        except IntegrityError:
            return  # a repeated delivery
        if added is None:
            return  # not a post with a row: a reaction like any other
        with self._lock:
            question = self._questions.get((channel, ts))
        if question is None:  # posted before this process started: its question's ts is in the row
            self.pool.submit(self._update_from_row, channel, ts, user)
        else:
            question.add_done_callback(lambda done: self._queue_update(done, channel, user))

    def _ask(self, channel: str, ts: str, event_id: str, question: Future[str]) -> None:
        try:
            answer = self.client.chat_postMessage(channel=channel, thread_ts=ts, text=QUESTION, blocks=_blocks(ts))
            asked = str(answer["ts"])
            with self.engine.begin() as connection:
                connection.execute(update(rows).where(rows.c.event_id == event_id).values(question_ts=asked))
        except Exception as error:
            log.exception("could not ask in the thread of %s", ts)
            question.set_exception(error)
        else:
            question.set_result(asked)

    def _queue_update(self, question: Future[str], channel: str, user: str) -> None:
        if question.exception() is None:
            self.pool.submit(self._update, channel, question.result(), user)

    def _update_from_row(self, channel: str, ts: str, user: str) -> None:
        with self.engine.connect() as connection:
            asked = connection.execute(
                select(rows.c.question_ts).where(rows.c.kind == "post", rows.c.channel == channel, rows.c.ts == ts)
            ).scalar()
        if asked:
            self._update(channel, str(asked), user)

    def _update(self, channel: str, question_ts: str, user: str) -> None:
        try:
            self.client.chat_update(channel=channel, ts=question_ts, text=f"{QUESTION} <@{user}> claimed it.")
        except Exception:
            log.exception("could not update the question %s", question_ts)


def _blocks(post_ts: str) -> list[dict[str, Any]]:
    button = {"type": "button", "action_id": "dibs_claim", "value": post_ts,
              "text": {"type": "plain_text", "text": "I'll take it"}}  # fmt: skip
    return [{"type": "section", "text": {"type": "mrkdwn", "text": QUESTION}},
            {"type": "actions", "elements": [button]}]  # fmt: skip


def create_workfloor() -> App:
    """The Bolt app on DATABASE_URL (its table created), with the work floor's listeners."""
    engine = make_engine(os.environ.get("DATABASE_URL") or "sqlite:///workfloor.db")
    metadata.create_all(engine)
    app = bolt_app(process_before_response=True)
    work = WorkFloor(engine, app.client)

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        if is_keyword_post(event):
            work.post(event, str(body["event_id"]))

    @app.event("reaction_added")
    def on_reaction(event: dict[str, Any], body: dict[str, Any]) -> None:
        item = event.get("item") or {}
        if str(event.get("reaction", "")).split("::", 1)[0] == CLAIM_EMOJI and item.get("type") == "message":
            work.claim(event, str(body["event_id"]))

    @app.command("/dibs")
    def on_command(ack: Ack) -> None:
        ack()

    @app.action(re.compile(".*"))
    def on_action(ack: Ack) -> None:
        ack()

    return app


def main() -> None:
    serve(create_workfloor, "python -m bench.workfloor", __doc__.splitlines()[0], "workfloor")


if __name__ == "__main__":
    main()

"""Goody's and Sendoso's webhooks over real HTTP against `dibs serve --http` on PostgreSQL: one server for every
step (a start costs seconds, a step milliseconds)."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select

from store.db import normalise_url
from store.models import GiftRecipient, TaskEvent
from tests.conftest import SECRET
from tests.slack.test_gift_webhooks import GOODY_SECRET, SENDOSO_SECRET, goody_headers, order
from tests.support.helpers import blocks_text, replies_stored, wait_until
from tests.support.payloads import Sender, message_event
from tests.support.server import HttpBot, bot_env

pytestmark = pytest.mark.e2e


def call(server: HttpBot, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(f"{server.base}{path}", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_gift_platform_webhooks_over_http(fake, pg_url, tmp_path):
    env = bot_env(fake.base_url, pg_url, DIBS_GOODY_SECRET=GOODY_SECRET, DIBS_SENDOSO_SECRET=SENDOSO_SECRET)
    server = HttpBot(env, tmp_path / "dibs.log")
    engine = create_engine(normalise_url(pg_url))

    def recipients() -> dict[str, str]:
        with engine.connect() as db:
            return {name: str(state) for name, state in db.execute(select(GiftRecipient.name, GiftRecipient.state))}

    def events() -> int:
        with engine.connect() as db:
            return int(db.scalar(select(func.count()).select_from(TaskEvent)) or 0)

    try:
        # A campaign with three recipients, from a CSV shared in its thread.
        slack = Sender(SECRET, url=server.events_url)
        slack.command("watch")
        post = message_event("Sending gifts to every customer this week")
        assert slack.event(post).status == 200
        fake.wait_for("chat.postMessage", timeout=10)
        replies_stored(pg_url)
        csv = b"name,email\nAna Lee,ana@example.com\nBo Chen,bo@example.com\nCy Park,cy@example.com\n"
        info = fake.add_file("F0CSV", "r.csv", csv)
        slack.event(message_event("recipients", thread_ts=post["ts"], subtype="file_share", files=[info]))
        wait_until(lambda: len(recipients()) == 3, timeout=10, what="the recipients imported")
        before = events()
        # A bad or stale signature: 401, nothing changes.
        body = order("order.delivered", email="ANA@example.com")
        stale = datetime.now(UTC) - timedelta(minutes=10)
        assert call(server, "/intake/goody", body, {**goody_headers(body, "e1"), "svix-signature": "v1,AAAA"})[0] == 401
        assert call(server, "/intake/goody", body, goody_headers(body, "e1", at=stale))[0] == 401
        assert events() == before and set(recipients().values()) == {"pending"}
        # A valid one marks the recipient; the same id again is a no-op.
        assert call(server, "/intake/goody", body, goody_headers(body, "e1")) == (
            200, {"result": "delivered", "campaign": 1}
        )  # fmt: skip
        assert recipients()["Ana Lee"] == "delivered"
        marked = events()
        assert call(server, "/intake/goody", body, goody_headers(body, "e1"))[1] == {"result": "already handled"}
        assert events() == marked
        # Refunded opens the follow-up, announced in the campaign's channel.
        refund = order("order.refunded", first="Bo", last="Chen", email="other@example.com")
        assert call(server, "/intake/goody", refund, goody_headers(refund, "e2"))[1]["result"] == "missed"
        fake.wait_for("chat.postMessage", count=2, timeout=10)
        # Sendoso: expired opens the follow-up too.
        expired = json.dumps({"event": "send.expired", "id": "s1", "data": {"recipient_email": "cy@example.com"}})
        answer = call(server, "/intake/sendoso", expired.encode(), {"X-Dibs-Secret": SENDOSO_SECRET})
        assert answer == (200, {"result": "missed", "campaign": 1})
        wait_until(
            lambda: len([c for c in fake.calls("chat.postMessage") if "did not arrive" in blocks_text(c)]) == 2,
            timeout=10, what="two follow-ups announced",
        )  # fmt: skip
        assert recipients() == {"Ana Lee": "delivered", "Bo Chen": "missed", "Cy Park": "missed"}
    finally:
        engine.dispose()
        server.stop()

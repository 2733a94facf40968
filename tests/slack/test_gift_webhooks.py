"""Goody's and Sendoso's webhooks through the bot's WSGI app, in-process (SQLite and PostgreSQL): a signed event
marks its recipient, what is unsigned, stale, replayed, unknown or unreadable changes nothing, and a missed gift
opens its follow-up as `/dibs gift ID missed NAME` does."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from bot.app import Dibs
from bot.gifts.webhooks import receive
from store.models import ExternalKey, GiftRecipient, Task, TaskEvent
from store.queries.workspaces import mark_installed
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import blocks_text, last_update, open_task
from tests.support.payloads import message_event

GOODY_SECRET = "whsec_" + base64.b64encode(b"goody-test-signing-key-32-bytes!").decode()
SENDOSO_SECRET = "sendoso-shared-secret-123"


def goody_headers(body: bytes, msg_id: str, at: datetime | None = None, secret: str = GOODY_SECRET) -> dict:
    at = at or datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, at, body)
    return {"svix-id": msg_id, "svix-timestamp": str(int(at.timestamp())), "svix-signature": signature}


def order(event_type: str, email: str | None = None, first: str = "", last: str = "", batch: str = "B1") -> bytes:
    data = {"recipient_email": email, "recipient_first_name": first, "recipient_last_name": last,
            "order_batch_id": batch, "status": "created"}  # fmt: skip
    return json.dumps({"event_type": event_type, "id": "evt", "data": data}).encode()


def post(bot: Dibs, path: str, body: bytes, headers: dict, query: str = "") -> tuple[int, dict]:
    """One request through the bot's WSGI app (the gate, the route), then what it queued is sent."""
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    }  # fmt: skip
    status: list[str] = []
    answer = b"".join(bot.wsgi()(environ, lambda line, _headers: status.append(line)))
    bot.deliver(linger=timedelta(0))
    return int(status[0].split()[0]), json.loads(answer)


def campaign(bot: Dibs, fake, rows: int = 3, text: str = "Sending gifts to every customer this week") -> None:
    slack = sender_for(bot)
    post_, _ = open_task(slack, fake, text=text)
    csv = "name,email\n" + "".join(f"Person {n},p{n}@example.com\n" for n in range(rows))
    info = fake.add_file(f"F{len(text)}", "r.csv", csv.encode())
    slack.event(message_event("recipients", thread_ts=post_["ts"], subtype="file_share", files=[info]))


def states(bot: Dibs) -> dict[str, str]:
    with bot.db() as session:
        return {r.name: str(r.state) for r in session.scalars(select(GiftRecipient).order_by(GiftRecipient.id))}


def counts(bot: Dibs) -> tuple[int, int, int]:
    with bot.db() as session:
        return (
            session.scalar(select(func.count()).select_from(Task)) or 0,
            session.scalar(select(func.count()).select_from(TaskEvent)) or 0,
            session.scalar(select(func.count()).select_from(ExternalKey)) or 0,
        )


def test_goody_webhooks_mark_recipients_once_and_refuse_what_is_not_signed(settings, fake):
    bot = make_dibs(settings, goody_secret=GOODY_SECRET)
    try:
        campaign(bot, fake)
        before, calls = counts(bot), len(fake.calls())
        body = order("order.delivered", email="P0@Example.com")
        # Unsigned, signed with another secret, stale (6 minutes) or from the future: 401, nothing written.
        stale = datetime.now(UTC) - timedelta(minutes=6)
        other = "whsec_" + base64.b64encode(b"not-the-goody-secret-at-all-1234").decode()
        for headers in ({}, goody_headers(body, "m1", secret=other), goody_headers(body, "m1", at=stale),
                        goody_headers(body, "m1", at=datetime.now(UTC) + timedelta(minutes=6)),
                        {**goody_headers(body, "m1"), "svix-id": "m2"}):  # fmt: skip
            status, answer = post(bot, "/intake/goody", body, headers)
            assert status == 401 and "signature" in answer["error"], headers
        assert post(bot, "/intake/goody", body, goody_headers(body + b" ", "m1"))[0] == 401  # the body changed
        # Signed but unreadable: 400 naming the field.
        broken = b'{"event_type": "order.delivered", "data": []}'
        assert post(bot, "/intake/goody", broken, goody_headers(broken, "m0")) == (
            400,
            {"error": "data: expected an object"},
        )
        assert post(bot, "/intake/goody", b"{no", goody_headers(b"{no", "m0"))[1] == {"error": "body: not JSON"}
        assert counts(bot) == before and len(fake.calls()) == calls and set(states(bot).values()) == {"pending"}
        # A good one marks the recipient found by email, in any case, and the campaign's thread follows.
        assert post(bot, "/intake/goody", body, goody_headers(body, "m1")) == (
            200,
            {"result": "delivered", "campaign": 1},
        )
        assert states(bot)["Person 0"] == "delivered"
        assert "1 delivered · 0 missed · 2 pending (of 3)" in last_update(fake)
        # The same webhook id again (Svix retries) changes nothing; the Standard Webhooks header names work too.
        again = post(
            bot, "/intake/goody", body, {k.replace("svix", "webhook"): v for k, v in goody_headers(body, "m1").items()}
        )
        assert again == (200, {"result": "already handled"})
        refund = order("order.refunded", email=None, first="person", last="  1")
        assert post(bot, "/intake/goody", refund, goody_headers(refund, "m1"))[1] == {"result": "already handled"}
        assert states(bot)["Person 1"] == "pending"
        # Refunded (found by name) is missed: the follow-up task is announced in the campaign's channel.
        assert post(bot, "/intake/goody", refund, goody_headers(refund, "m3"))[1]["result"] == "missed"
        followups = [c for c in fake.calls("chat.postMessage") if "did not arrive" in str(c.params.get("text"))]
        assert len(followups) == 1 and "The gift for Person 1 did not arrive" in blocks_text(followups[0])
        with bot.db() as session:
            assert session.get(GiftRecipient, 2).followup_task_id == 2
            assert session.get(Task, 2).kind == "gift_followup"
        # Shipped is only noted (no Slack call); an unknown recipient and a batch event are logged and answered 200.
        calls = len(fake.calls())
        shipped = order("order.shipped", email="p2@example.com")
        assert post(bot, "/intake/goody", shipped, goody_headers(shipped, "m4"))[1]["result"] == "noted"
        stranger = order("order.delivered", email="nobody@example.com", first="No", last="Body")
        ignored = post(bot, "/intake/goody", stranger, goody_headers(stranger, "m5"))
        assert ignored[0] == 200 and ignored[1]["result"] == "ignored" and "no recipient" in ignored[1]["reason"]
        batch = json.dumps({"event_type": "order_batch.completed", "id": "x", "data": {"id": "B1"}}).encode()
        assert post(bot, "/intake/goody", batch, goody_headers(batch, "m6"))[1]["result"] == "ignored"
        assert len(fake.calls()) == calls and states(bot)["Person 2"] == "pending"
        with bot.db() as session:
            noted = session.scalars(select(TaskEvent).where(TaskEvent.action == "gift_noted")).one()
            assert (noted.actor, noted.detail) == ("goody", "order.shipped: Person 2")
    finally:
        bot.shutdown()


def test_linked_batches_pick_the_campaign_and_two_open_campaigns_need_a_link(settings, fake):
    bot = make_dibs(settings, goody_secret=GOODY_SECRET)
    slack = sender_for(bot)
    try:
        campaign(bot, fake, rows=2)
        campaign(bot, fake, rows=2, text="Sending gifts to the speakers too")
        body = order("order.canceled", email="p1@example.com", batch="B2")
        answer = post(bot, "/intake/goody", body, goody_headers(body, "n1"))[1]
        assert answer["result"] == "ignored" and "more than one open gift campaign" in answer["reason"]
        assert "Only the owners of #2" in slack.command("gift 2 link goody:B2", user="U9").body
        assert "Goody batch `B2` now marks the gifts of #2." in slack.command("gift 2 link goody:B2", user="U111").body
        assert "Write `/dibs gift 2 link goody:BATCH_ID`" in slack.command("gift 2 link goody", user="U111").body
        assert post(bot, "/intake/goody", body, goody_headers(body, "n1"))[1] == {"result": "missed", "campaign": 2}
        # Linked to another batch, #2 is not the only candidate for B9's events: #1 is.
        other = order("order.delivered", email="p0@example.com", batch="B9")
        assert post(bot, "/intake/goody", other, goody_headers(other, "n2"))[1]["campaign"] == 1
        moved = slack.command("gift 1 link goody:B2", user="U111").body
        assert "now marks the gifts of #1 (it marked #2's before)" in moved
        slack.command("gift 2 link sendoso:4711", user="U111")
        shown = slack.command("gift 1", user="U111").body + slack.command("gift 2", user="U111").body  # the blocks
        assert "Webhooks mark its gifts from: Goody batch `B2`." in shown  # #1, where B2 moved
        assert "Webhooks mark its gifts from: Sendoso campaign `4711`." in shown  # #2: no Goody batch any more
        with bot.db() as session:
            marked = {(r.task_id, r.name): str(r.state) for r in session.scalars(select(GiftRecipient))}
        assert marked[(2, "Person 1")] == "missed" and marked[(1, "Person 0")] == "delivered"
        assert marked[(1, "Person 1")] == "pending"
    finally:
        bot.shutdown()


def test_sendoso_with_its_secret_and_the_endpoints_are_closed_without_one(settings, fake):
    bot = make_dibs(settings, sendoso_secret=SENDOSO_SECRET)
    try:
        campaign(bot, fake, rows=2)
        body = json.dumps({"event": "send.expired", "id": "s1", "data": {"email": "p1@example.com"}}).encode()
        for headers in ({}, {"x-dibs-secret": "wrong"}, {"authorization": "Bearer wrong"}):
            assert post(bot, "/intake/sendoso", body, headers)[0] == 401
        assert post(bot, "/intake/goody", body, {})[0] == 404  # DIBS_GOODY_SECRET is unset
        assert post(bot, "/intake/sendoso", body, {}, query="team=T999")[0] == 401
        assert states(bot) == {"Person 0": "pending", "Person 1": "pending"}
        answer = post(bot, "/intake/sendoso", body, {"x-dibs-secret": SENDOSO_SECRET})
        assert answer == (200, {"result": "missed", "campaign": 1})
        assert any("did not arrive" in str(c.params.get("text")) for c in fake.calls("chat.postMessage"))
        assert post(bot, "/intake/sendoso", body, {"authorization": f"Bearer {SENDOSO_SECRET}"})[1] == {
            "result": "already handled"
        }
        wrong_team = post(bot, "/intake/sendoso", body, {"x-dibs-secret": SENDOSO_SECRET}, query="team=T999")
        assert wrong_team[0] == 400 and wrong_team[1]["error"].startswith("team: Dibs runs in one workspace")
        empty = post(bot, "/intake/sendoso", b"", {"x-dibs-secret": SENDOSO_SECRET})
        assert empty == (400, {"error": "body: expected a JSON object"})
        # With many workspaces (no bot token's workspace), `?team=` names an installed one.
        delivered = json.dumps({"event": "send.delivered", "data": {"email": "p0@example.com"}}).encode()
        many = [receive(bot.services, "sendoso", None, delivered, {"x-dibs-secret": SENDOSO_SECRET}, query=query)
                for query in ("", "team=T999")]  # fmt: skip
        assert [a.status for a in many] == [400, 400] and "?team=T0123ABCD" in many[0].body["error"]
        assert many[1].body == {"error": "team: Dibs is not installed in T999"}
        with bot.services.transaction() as tx:
            mark_installed(tx.session, bot.team_id())
        answer = receive(
            bot.services, "sendoso", None, delivered, {"x-dibs-secret": SENDOSO_SECRET}, f"team={bot.team_id()}"
        )
        assert (answer.status, answer.body) == (200, {"result": "delivered", "campaign": 1})
    finally:
        bot.shutdown()

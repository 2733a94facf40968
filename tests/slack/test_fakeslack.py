"""Prove tests/support/fakeslack.py (around bot/fakeslack) speaks well enough to the real slack_sdk clients."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.support.fakeslack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def test_post_message_records_and_answers(fake: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    first = client.chat_postMessage(channel="C1", text="hello", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])

    assert first["channel"] == "C1"
    assert first["ts"] != second["ts"]
    assert float(first["ts"]) < float(second["ts"])
    assert first["message"]["blocks"] == blocks
    assert second["message"]["thread_ts"] == first["ts"]
    calls = fake.calls("chat.postMessage")
    assert [c.params["text"] for c in calls] == ["hello", "again"]
    assert calls[0].token == "xoxb-test"
    assert calls[0].params["blocks"] == blocks
    assert calls[0].response is not None and calls[0].response["ts"] == first["ts"]

    assert client.auth_test()["user_id"] == "UBOT"
    link = client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")
    assert link["permalink"] == "https://test.slack.com/archives/C1/p1700000000000100"


def test_form_encoded_json_fields_are_parsed(fake: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    client.api_call("views.open", params={"trigger_id": "1.2", "view": json.dumps(view)})
    opened = client.views_open(trigger_id="1.3", view=view)

    assert opened["view"]["id"]
    calls = fake.calls("views.open")
    assert [c.params["view"] for c in calls] == [view, view]
    assert calls[0].params["trigger_id"] == "1.2"


def test_configured_answers(fake: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    reactions = [{"name": "raising_hand", "users": ["U1"], "count": 1}]
    fake.set_reactions("C1", "1.1", reactions)
    assert client.reactions_get(channel="C1", timestamp="1.1")["message"]["reactions"] == reactions
    assert client.reactions_get(channel="C1", timestamp="2.2")["message"]["reactions"] == []

    fake.set_response("conversations.join", {"ok": False, "error": "not_in_channel"})
    with pytest.raises(SlackApiError) as err:
        client.conversations_join(channel="C1")
    assert err.value.response["error"] == "not_in_channel"
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("some.unknownMethod")

    fake.clear()
    assert fake.calls() == []
    assert client.conversations_join(channel="C2")["channel"]["is_member"] is True
    assert fake.wait_for("conversations.join")[0].params == {"channel": "C2"}
    with pytest.raises(AssertionError, match=r"conversations\.join"):
        fake.wait_for("chat.update", timeout=0.1)


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    from slack_sdk.webhook import WebhookClient

    assert WebhookClient(fake.response_url("abc")).send(text="done").status_code == 200
    (call,) = fake.response_urls
    assert call.params["text"] == "done"
    assert call.path == "/response_url/abc"


def test_rate_limited_call_is_retried(fake: FakeSlack) -> None:
    bare = WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    with pytest.raises(SlackApiError) as err:
        bare.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response["error"] == "ratelimited"
    assert err.value.response.headers["retry-after"] in ("1", ["1"])

    fake.clear()
    client = WebClient(
        token="xoxb-test",
        base_url=fake.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]


def test_server_error_is_retried(fake: FakeSlack) -> None:
    handler = ServerErrorRetryHandler(max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.01))
    client = WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[handler])
    fake.fail_next("*", status=500, count=2)
    assert client.chat_update(channel="C1", ts="1.1", text="new")["ts"] == "1.1"
    assert [c.status for c in fake.calls("chat.update")] == [500, 500, 200]


def test_socket_mode_client_round_trip(fake: FakeSlack) -> None:
    received: list[SocketModeRequest] = []
    got = threading.Event()

    def listener(client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        received.append(req)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
        got.set()

    client = SocketModeClient(app_token="xapp-test", web_client=WebClient(base_url=fake.base_url))
    client.socket_mode_request_listeners.append(listener)
    try:
        client.connect()
        assert fake.socket_connected(timeout=5)
        assert fake.calls("apps.connections.open")[0].token == "xapp-test"

        event = {"type": "event_callback", "event": {"type": "app_mention", "text": "<@UBOT> hi"}}
        envelope = fake.socket_envelope("events_api", event)
        assert fake.socket_send(envelope) == 1
        ack = fake.wait_socket_ack(envelope["envelope_id"], timeout=5)
        assert ack == {"envelope_id": envelope["envelope_id"]}
        assert got.wait(5)
        assert received[0].type == "events_api"
        assert received[0].payload == event
    finally:
        client.close()


def test_installs_give_each_workspace_its_token_once_and_revoke_them(fake: FakeSlack) -> None:
    app = WebClient(base_url=fake.base_url)
    code = fake.approve("T222", "Acme")
    answer = app.oauth_v2_access(client_id="1.2", client_secret="s", code=code)
    assert answer["team"] == {"id": "T222", "name": "Acme"} and answer["access_token"] == fake.tokens_of("T222")[0]
    with pytest.raises(SlackApiError, match="invalid_code"):
        app.oauth_v2_access(client_id="1.2", client_secret="s", code=code)  # a code works once
    bot = WebClient(token=answer["access_token"], base_url=fake.base_url)
    assert (bot.auth_test()["team_id"], bot.auth_test()["bot_id"]) == ("T222", "BBT222")
    assert WebClient(token="xoxb-test", base_url=fake.base_url).auth_test()["team_id"] == "T111"
    fake.revoke("T222")
    with pytest.raises(SlackApiError, match="token_revoked"):
        bot.chat_postMessage(channel="C1", text="hello")
    assert fake.calls("chat.postMessage")[0].token == answer["access_token"]


def test_a_failure_can_be_for_one_token_only(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=5, token="xoxb-a")
    ok = WebClient(token="xoxb-b", base_url=fake.base_url).chat_postMessage(channel="C1", text="b")
    assert ok["ok"]
    with pytest.raises(SlackApiError):
        WebClient(token="xoxb-a", base_url=fake.base_url).chat_postMessage(channel="C1", text="a")
    assert [(c.token, c.status) for c in fake.calls("chat.postMessage")] == [("xoxb-b", 200), ("xoxb-a", 429)]


def test_chat_delete_takes_the_bots_message_out_of_history_and_thread(fake: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    fake.add_history("C1", {"type": "message", "user": "U1", "text": "Booth at the expo", "ts": "1800000000.000100"})
    first = client.chat_postMessage(channel="C1", text="Who will staff it?", thread_ts="1800000000.000100")
    second = client.chat_postMessage(channel="C1", text="Still unclaimed", thread_ts="1800000000.000100")
    top = client.chat_postMessage(channel="C1", text="Digest")

    assert client.chat_delete(channel="C1", ts=first["ts"]).data == {"ok": True, "channel": "C1", "ts": first["ts"]}
    assert client.chat_delete(channel="C1", ts=top["ts"])["ok"]

    replies = client.conversations_replies(channel="C1", ts="1800000000.000100")["messages"]
    assert [m["text"] for m in replies] == ["Booth at the expo", "Still unclaimed"]
    history = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["Booth at the expo"] and second["ts"] not in {m["ts"] for m in history}
    assert [c.response and c.response["ok"] for c in fake.calls("chat.delete")] == [True, True]


def test_chat_delete_refuses_unknown_and_other_peoples_messages(fake: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    fake.add_history("C1", {"type": "message", "user": "U1", "text": "mine, not the bot's", "ts": "1800000000.000100"})
    posted = client.chat_postMessage(channel="C1", text="the bot's")
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_delete(channel="C1", ts="1800000000.999999")
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_delete(channel="C2", ts=posted["ts"])  # the right ts in another channel
    with pytest.raises(SlackApiError, match="cant_delete_message"):
        client.chat_delete(channel="C1", ts="1800000000.000100")
    token = WebClient(base_url=fake.base_url).oauth_v2_access(client_id="1", client_secret="s",
                                                              code=fake.approve("T222"))["access_token"]  # fmt: skip
    with pytest.raises(SlackApiError, match="cant_delete_message"):
        WebClient(token=token, base_url=fake.base_url).chat_delete(channel="C1", ts=posted["ts"])  # another bot's
    client.chat_delete(channel="C1", ts=posted["ts"])
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_delete(channel="C1", ts=posted["ts"])  # once deleted, it is gone
    assert [m["text"] for m in client.conversations_history(channel="C1")["messages"]] == ["mine, not the bot's"]

"""POST /intake over real HTTP against `dibs serve --http`: a token, a JSON body, one task per external_id."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support.helpers import blocks_text
from tests.support.server import HttpBot, bot_env

pytestmark = pytest.mark.e2e
TOKEN = "intake-secret-123"


@pytest.fixture
def server(fake, database_url, tmp_path):
    bot = HttpBot(bot_env(fake.base_url, database_url, DIBS_INTAKE_TOKEN=TOKEN), tmp_path / "dibs.log")
    yield bot
    bot.stop()


def call(server, body: object, token: str | None = TOKEN, raw: bytes | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{server.base}/intake", data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


EVENT = {
    "kind": "event",
    "title": "Booth at the Springfield Expo",
    "channel": "C111",
    "due": "2027-03-01",
    "url": "https://events.example.com/springfield",
    "details": "Two people, both days.",
    "external_id": "evt-42",
}


BAD_BODIES = [
    ({**EVENT, "kind": "party"}, "kind"),
    ({k: v for k, v in EVENT.items() if k != "title"}, "title"),
    ({**EVENT, "channel": "#general"}, "channel"),
    ({**EVENT, "due": "soon"}, "due"),
    ({**EVENT, "url": "javascript:alert(1)"}, "url"),
    ({**EVENT, "colour": "red"}, "colour"),
    ([1, 2], "body"),
]


def test_the_intake_webhook_refuses_what_it_must_and_makes_one_task_per_external_id(server, fake):
    # One server for every step: each start of `dibs serve` costs seconds, the steps cost milliseconds.
    # A missing or wrong token is 401 and stores nothing.
    for token in (None, "wrong", ""):
        assert call(server, EVENT, token=token)[0] == 401, token
    # A bad body is 400 naming the field, and stores nothing.
    for body, field in BAD_BODIES:
        status, answer = call(server, body)
        assert status == 400 and answer["error"].startswith(f"{field}:"), (field, answer)
    assert call(server, None, raw=b"{not json")[0] == 400
    assert fake.calls("chat.postMessage") == []
    # A good call makes a task announced in the channel, with its question in the thread; the same
    # external_id again is the same task.
    status, answer = call(server, EVENT)
    assert status == 201 and answer["id"] == 1 and answer["url"].startswith("https://slack.com/app_redirect?")
    announcement, question = fake.wait_for("chat.postMessage", count=2, timeout=10)
    assert "New event: *Booth at the Springfield Expo*" in blocks_text(announcement)
    assert "<https://events.example.com/springfield|Open it>" in blocks_text(announcement)
    assert question.params["thread_ts"] == announcement.response["ts"]
    again_status, again = call(server, EVENT)
    assert again_status == 200 and again["id"] == 1
    assert len(fake.calls("chat.postMessage")) == 2
    # Text longer than Slack takes is cut, and the link kept.
    assert call(server, {**EVENT, "external_id": "long", "details": "word " * 5000})[0] == 201
    long_one = fake.wait_for("chat.postMessage", count=4, timeout=10)[2]
    text = long_one.params["blocks"][0]["text"]["text"]
    assert len(text) <= 3000 and text.endswith("|Open it>")


def test_without_the_variable_the_endpoint_is_not_there(fake, tmp_path):
    bot = HttpBot(bot_env(fake.base_url, f"sqlite:///{tmp_path / 'd.db'}"), tmp_path / "dibs.log")
    try:
        assert call(bot, EVENT)[0] == 404
    finally:
        bot.stop()

"""The HTTP gate over real HTTP: too big, unsigned or malformed requests get a 4xx before anything
is parsed or stored, and nothing unverified reaches the log."""

from __future__ import annotations

import contextlib
import http.client
import json

import pytest

from tests.conftest import SECRET
from tests.support.payloads import Sender, message_event
from tests.support.server import HttpBot, bot_env

pytestmark = pytest.mark.e2e
MARKER = "do-not-log-this-marker"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.support.fakeslack import FakeSlack

    folder = tmp_path_factory.mktemp("gate")
    with FakeSlack() as fake:
        bot = HttpBot(bot_env(fake.base_url, f"sqlite:///{folder / 'dibs.db'}"), folder / "dibs.log")
        yield bot
        bot.stop()


def post(server, body: bytes, content_type: str = "application/json", headers: dict | None = None) -> int:
    """The status the server answers. It may answer (413) and close before the body is all sent: the
    client's broken pipe is then expected, and the answer is still there to read."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.putrequest("POST", "/slack/events")
        for name, value in {"content-type": content_type, "content-length": str(len(body)), **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.send(body)
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_body_over_a_megabyte_is_refused_before_it_is_read(server):
    assert post(server, b'{"x": "' + MARKER.encode() + b" " * 2_000_000 + b'"}') == 413


def test_unsigned_requests_get_401_and_only_their_size_is_logged(server):
    assert post(server, json.dumps({"type": "event_callback", "note": MARKER}).encode()) == 401
    assert post(server, b"[" * 100_000 + b"]" * 100_000) == 401  # deeply nested: not parsed at all
    stale = Sender("not-the-secret", url=server.events_url)
    assert stale.raw(json.dumps({"type": "event_callback"}), "application/json").status == 401
    assert MARKER not in server.output() and "without a valid Slack signature" in server.output()


def test_a_timestamp_that_is_not_a_number_gets_401(server):
    slack = Sender(SECRET, url=server.events_url)
    reply = slack.raw('{"type": "event_callback"}', "application/json", headers={"x-slack-request-timestamp": "abc"})
    assert reply.status == 401


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("[1]", "application/json"),
        ("null", "application/json"),
        ('{"no": "type"}', "application/json"),
        ("payload=%5B1%5D", "application/x-www-form-urlencoded"),
        ("payload=not-json", "application/x-www-form-urlencoded"),
        ('{"type": "event_callback", "event": [1]}', "application/json"),
    ],
)
def test_signed_bodies_of_the_wrong_shape_get_400_or_are_ignored_never_500(server, body, content_type):
    status = Sender(SECRET, url=server.events_url).raw(body, content_type).status
    assert status in (200, 400), status
    assert "Traceback" not in server.output()


def test_a_good_request_still_goes_through(server):
    assert Sender(SECRET, url=server.events_url).event(message_event("lunch?")).status == 200

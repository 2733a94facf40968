"""The HTTP gate over real HTTP: too big, unsigned or malformed requests get a 4xx before anything
is parsed or stored, and nothing unverified reaches the log."""

from __future__ import annotations

import contextlib
import json
import socket
import urllib.parse
import urllib.request

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
    request = urllib.request.Request(
        server.events_url, data=body, headers={"content-type": content_type, **(headers or {})}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def post_big(server, body: bytes) -> int:
    """POST a body the server refuses before reading: it may close while we still send, as Slack would see."""
    url = urllib.parse.urlsplit(server.events_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        head = f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
        sock.sendall(f"{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode())
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for start in range(0, len(body), 65536):
                sock.sendall(body[start : start + 65536])
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while b"\r\n" not in answer and (chunk := sock.recv(4096)):
                answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_a_body_over_a_megabyte_is_refused_before_it_is_read(server):
    assert post_big(server, b'{"x": "' + MARKER.encode() + b" " * 2_000_000 + b'"}') == 413


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

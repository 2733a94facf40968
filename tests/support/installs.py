"""Installing Dibs in a workspace the way a person does, over real HTTP: the install page (and its state
cookie), Slack's authorize page on the fake (Allow), back to Dibs's redirect URL."""

from __future__ import annotations

import html
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from tests.support.fakeslack import FakeSlack

OAUTH = {"client_id": "1111.2222", "client_secret": "app-client-secret", "state_secret": "state-signing-secret"}


@dataclass
class Page:
    status: int
    body: str
    headers: dict[str, str]

    @property
    def cookie(self) -> str:
        """The state cookie the page set (`name=value`), or ''."""
        return self.headers.get("set-cookie", "").split(";", 1)[0]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the test follows each hop itself


_opener = urllib.request.build_opener(_NoRedirects)


def get(url: str, cookie: str = "") -> Page:
    """GET `url` (sending `cookie`), without following redirects."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with _opener.open(request, timeout=10) as answer:
            return Page(answer.status, answer.read().decode(), {k.lower(): v for k, v in answer.headers.items()})
    except urllib.error.HTTPError as error:
        return Page(error.code, error.read().decode(), {k.lower(): v for k, v in error.headers.items()})


def add_to_slack_link(page: Page) -> str:
    """The "Add to Slack" link of the install page."""
    found = re.search(r'<a href="([^"]+)"', page.body)
    assert found, page.body
    return html.unescape(found.group(1))


def install(base: str, fake: FakeSlack, team: str) -> Page:
    """Install Dibs at `base` in `team`; the page Dibs shows at the end."""
    fake.redirect_url = f"{base}/slack/oauth_redirect"
    start = get(f"{base}/slack/install?team={team}")
    assert start.status == 200 and start.cookie.startswith("slack-app-oauth-state="), start
    allowed = get(add_to_slack_link(start))  # the admin clicks Allow on Slack's page
    assert allowed.status == 302, allowed
    return get(allowed.headers["location"], cookie=start.cookie)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextmanager
def serving(wsgi_app: Any) -> Iterator[str]:
    """Serve `wsgi_app` over HTTP on 127.0.0.1 (a free port) while the block runs; yields its base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

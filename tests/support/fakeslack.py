"""A fake Slack for tests: the Web API of ``bot.fakeslack`` (shared with ``dibs demo``) served over loopback HTTP,
every request recorded, failures injected on demand, plus Socket Mode (tests/support/socketmode.py).

Point slack_sdk at it with ``WebClient(token="xoxb-test", base_url=fake.base_url)``. Every request is recorded as a
:class:`Call`, with the token it carried. The workspace is open: any channel, person or message exists, and any
token is the bot of T111 (``AUTH_TEST``). Failures (429 with ``Retry-After``, 5xx, outages, slow answers, missing
scopes, fixed answers) can be injected per method (and per token).

Installs: ``GET /oauth/v2/authorize`` plays a workspace admin clicking Allow (the workspace is the ``team`` query
parameter) and sends the browser back to the app's redirect URL with a code; ``oauth.v2.access`` exchanges that
code once for a bot token of that workspace, and ``auth.test`` answers for each token as its workspace's bot.
``revoke(team)`` makes its tokens answer ``token_revoked``, as Slack does after an uninstall.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from bot.fakeslack import Message, WebAPI, Workspace, bearer, parse_request, workspace_identity
from tests.support.failures import Failures
from tests.support.socketmode import SocketMode

AUTH_TEST = {**workspace_identity("T111", "Test"), "url": "https://test.slack.com/", "user_id": "UBOT",
             "bot_id": "BBOT"}  # fmt: skip
EPOCH = datetime.fromtimestamp(1_700_000_000, UTC)  # the fake's messages' ts: from here on, a microsecond apart


@dataclass
class Call:
    """One recorded HTTP request (``status`` is what the fake answered, 200 unless a failure was injected)."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    path: str = ""
    response: dict[str, Any] | None = None
    via: str = ""  # NAME when the caller's SLACK_API_URL was .../via-NAME/api/ (which process called)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSlack

    def handle_error(self, request: Any, client_address: Any) -> None:  # quiet on client hang-ups
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    do_POST = do_GET

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send(self, status: int, body: Any, headers: dict[str, str] | None = None, kind: str = "application/json"
             ) -> None:  # fmt: skip
        data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        for key, value in {"Content-Type": f"{kind}; charset=utf-8", "Content-Length": str(len(data)),
                           **(headers or {})}.items():  # fmt: skip
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


class FakeSlack(Failures, SocketMode):
    """Fake Slack: the Web API on ``base_url`` (its state in ``api``), plus a Socket Mode websocket server."""

    def __init__(self) -> None:
        super().__init__()
        self.api = WebAPI(Workspace(), lambda: EPOCH, {}, any_token=AUTH_TEST)
        self.api.methods["apps.connections.open"] = lambda p, bot: {"ok": True, "url": self.ws_url}
        self._calls: list[Call] = []
        self.redirect_url: str | None = None  # the app's redirect URL, as its manifest lists it
        self._http: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self.base_url = ""
        # Sent as the x-oauth-scopes header of every answer (Slack's way of saying what a token may do).
        self.scopes: list[str] | None = None

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> FakeSlack:
        """Start the HTTP and websocket servers on free ports of 127.0.0.1."""
        self._http = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._http.fake = self
        self.api.site = f"http://127.0.0.1:{self._http.server_address[1]}"
        self.base_url = f"{self.api.site}/api/"
        serve_http = functools.partial(self._http.serve_forever, poll_interval=0.05)
        self._threads = [threading.Thread(target=serve_http, name="fakeslack-http", daemon=True), self._serve_sockets()]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Shut both servers down (idempotent); open websockets are closed with 1001."""
        self._stop_sockets()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- what Slack holds
    def set_reactions(self, channel: str, ts: str, reactions: list[dict[str, Any]]) -> None:
        """What ``reactions.get`` returns for the message ``channel``/``ts`` (a person's, if the fake knew none)."""
        with self._cond:
            found = self.api.workspace.find(channel, ts) or self._add(channel, {"ts": ts})
            found.reactions = {r["name"]: list(r["users"]) for r in reactions}

    def add_history(self, channel: str, message: dict[str, Any]) -> None:
        """A message in ``channel`` (``conversations.history`` returns it, or ``.replies`` in its thread)."""
        with self._cond:
            self._add(channel, message)

    def _add(self, channel: str, message: dict[str, Any]) -> Message:
        self.api.workspace.messages.append(Message.from_slack(channel, copy.deepcopy(message)))
        return self.api.workspace.messages[-1]

    def add_file(self, file_id: str, name: str, content: bytes) -> dict[str, Any]:
        """A file shared in Slack: ``files.info`` describes it and its private URL serves it (with a token)."""
        with self._cond:
            self.api.workspace.files[file_id] = {"name": name, "content": content}
            return self.api.file_info(file_id)

    def set_memberships(self, user: str, channels: list[str]) -> None:
        """The conversations ``users.conversations`` says ``user`` is a member of."""
        with self._cond:
            self.api.memberships[user] = list(channels)

    def set_status(self, user: str, emoji: str, text: str = "", expires: datetime | None = None) -> None:
        """``user``'s Slack status (``users.info`` shows it in the profile), until ``expires`` (None: no end)."""
        with self._cond:
            until = int(expires.timestamp()) if expires else 0
            self.api.profiles[user] = {"status_emoji": emoji, "status_text": text, "status_expiration": until}

    def set_tz(self, user: str, tz: str) -> None:
        """``user``'s time zone (``users.info``'s ``tz``)."""
        with self._cond:
            self.api.zones[user] = tz

    def set_dnd(self, user: str, start: datetime | None, end: datetime | None) -> None:
        """``user``'s Do Not Disturb as ``dnd.teamInfo`` tells it: on from ``start`` to ``end`` (None, None: off)."""
        with self._cond:
            on = start is not None or end is not None
            self.api.dnd[user] = {"dnd_enabled": on, "next_dnd_start_ts": int(start.timestamp()) if start else 0,
                                  "next_dnd_end_ts": int(end.timestamp()) if end else 0}  # fmt: skip

    def set_group(self, group: str, users: list[str]) -> None:
        """The members of a user group (``usergroups.users.list``)."""
        with self._cond:
            self.api.groups[group] = list(users)

    def uploaded(self) -> list[dict[str, Any]]:
        """Files shared with files.completeUploadExternal, in order (each with its bytes as ``content``)."""
        with self._cond:
            return [copy.deepcopy(f) for f in self.api.uploads.values() if f.get("shared")]

    def approve(self, team_id: str, name: str | None = None) -> str:
        """A one-time code for installing the app in ``team_id`` (what Slack's Allow button hands back)."""
        with self._cond:
            return self.api.approve(team_id, name)

    def tokens_of(self, team_id: str) -> list[str]:
        """Every bot token issued for ``team_id``, oldest first."""
        with self._cond:
            return self.api.tokens_of(team_id)

    def revoke(self, team_id: str) -> None:
        """The app was uninstalled from ``team_id``: its tokens answer ``token_revoked`` from now on."""
        with self._cond:
            self.api.revoke(team_id)

    def clear(self) -> None:
        """Forget recorded calls, socket acks, injected failures and what Slack holds (installs stay)."""
        with self._cond:
            self._calls.clear()
            self.socket_acks.clear()
            self._forget_failures()
            self.api.forget()

    # ---------------------------------------------------------------- inspection
    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls (a copy), optionally only those of ``method``; failed attempts included."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    @property
    def response_urls(self) -> list[Call]:
        """Calls POSTed to :meth:`response_url` addresses (``call.path`` tells which)."""
        return self.calls("response_url")

    def response_url(self, name: str = "x") -> str:
        """A ``response_url`` pointing at this fake; posts to it are recorded as method ``response_url``."""
        assert self._http is not None, "FakeSlack is not started"
        return f"{self.api.site}/response_url/{name}"

    def wait_for(self, method: str | None, count: int = 1, timeout: float = 5.0,
                 predicate: Callable[[Call], bool] | None = None) -> list[Call]:  # fmt: skip
        """Wait until at least ``count`` calls of ``method`` (matching ``predicate``) were recorded."""

        def matching() -> list[Call]:
            return [c for c in self._calls if method in (None, c.method) and (predicate is None or predicate(c))]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout):
                return matching()
            seen, found = [c.method for c in self._calls], len(matching())
        raise AssertionError(f"timed out after {timeout}s waiting for {count} call(s) of {method!r}"
                             f" (found {found}); recorded methods: {seen}")  # fmt: skip

    # ---------------------------------------------------------------- HTTP
    def _record(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _handle(self, req: _Handler) -> None:
        received, url = time.monotonic(), urlsplit(req.path)
        via, path = "", url.path
        if path.startswith("/via-"):  # one fake, one base URL per process: the call says which process made it
            via, _, path = path.removeprefix("/via-").partition("/")
            path = f"/{path}"
        where, _, rest = path.lstrip("/").partition("/")
        if where in ("files", "upload"):
            return self._file(req, where, rest.split("/")[0])
        if path == "/oauth/v2/authorize":
            return self._authorize(req, dict(parse_qsl(url.query)))
        if where not in ("api", "response_url"):
            return req.send(404, {"ok": False, "error": "unknown_url"})
        method = rest if where == "api" else "response_url"
        params, token = parse_request(req.body(), req.headers.get("Content-Type", ""), url.query,
                                      req.headers.get("Authorization", ""))  # fmt: skip
        with self._cond:
            failure = self._failure(method, token, params.get("channel"))
            if failure is not None:
                status, headers, body = failure.answer()
            else:
                status, headers, body = 200, {}, self._answer(method, params, token)
                if self.scopes is not None:
                    headers["x-oauth-scopes"] = ",".join(self.scopes)
            response = body if isinstance(body, dict) else None
            self._record(Call(method, params, token, received, status, path, response, via))
            delay = self._delays.get(method, 0.0)
        if delay:  # Slack has done it; the answer is slow to come back (a caller may die waiting)
            time.sleep(delay)
        req.send(status, body, headers)

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        """The JSON Slack would answer (called with the lock held)."""
        if method == "response_url":
            return {"ok": True}
        return self._refusal(method) or self.api.call(method, params, token)

    def _file(self, req: _Handler, where: str, file_id: str) -> None:
        """A file's private URL (its bytes, for a bot token), or an upload URL taking a file's bytes."""
        auth = req.headers.get("Authorization")
        if where == "upload":
            data = req.body()
            self._record(Call("upload", {"id": file_id, "size": len(data)}, None, time.monotonic()))
            with self._cond:
                found = self.api.receive_upload(file_id, data)
            return req.send(200, b"OK", kind="text/plain") if found else req.send(404, "Not Found")
        self._record(Call("file", {"id": file_id}, auth, time.monotonic()))
        with self._cond:
            content = self.api.file_content(file_id, bearer(auth))
        if content is None:
            return req.send(404, {"ok": False, "error": "file_not_found"})
        req.send(200, content, kind="text/csv")

    def _authorize(self, req: _Handler, query: dict[str, str]) -> None:
        """Slack's authorize page, with the admin clicking Allow: back to the app's redirect URL with a code."""
        self._record(Call("oauth.authorize", query, None, time.monotonic(), path=req.path))
        redirect = query.get("redirect_uri") or self.redirect_url
        if not redirect:
            return req.send(400, {"ok": False, "error": "no_redirect_url"})
        back = {"code": self.approve(query.get("team") or "T111"), "state": query.get("state", "")}
        req.send(302, b"", {"Location": f"{redirect}?{urlencode(back)}"})

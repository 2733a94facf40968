"""A fake Slack Web API + Socket Mode server for tests.

Point slack_sdk at it with ``WebClient(token="xoxb-test", base_url=fake.base_url)``. Every request is
recorded as a :class:`Call`, with the token it carried; answers mimic Slack's shapes closely enough for
the bot. Failures (429 with ``Retry-After``, 5xx) can be injected per method (and per token), and a
websocket server speaks enough Socket Mode for slack_sdk's builtin ``SocketModeClient`` (hello on
connect, envelopes out, acks in).

Installs: ``GET /oauth/v2/authorize`` plays a workspace admin clicking Allow (the workspace is the
``team`` query parameter) and sends the browser back to the app's redirect URL with a code;
``oauth.v2.access`` exchanges that code once for a bot token of that workspace, and ``auth.test``
answers for each token as its workspace's bot. ``revoke(team)`` makes its tokens answer
``token_revoked``, as Slack does after an uninstall.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import itertools
import json
import sys
import threading
import time
import uuid
from base64 import b64decode
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

JSON_FIELDS = ("blocks", "view", "attachments", "files")
# The scope a method needs, for ``without_scope`` (only the methods whose scope tests take away).
SCOPE_OF = {
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "conversations.open": "im:write",
    "users.info": "users:read",
    "users.conversations": "channels:read",
}
AUTH_TEST = {
    "url": "https://test.slack.com/",
    "team": "Test",
    "user": "dibs",
    "team_id": "T111",
    "user_id": "UBOT",
    "bot_id": "BBOT",
}


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


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    body: Any
    token: str | None = None  # only calls carrying this token (None: any)


def workspace_identity(team_id: str, name: str) -> dict[str, Any]:
    """What ``auth.test`` answers for the bot of an installed workspace."""
    return {"url": f"https://{team_id.lower()}.slack.com/", "team": name, "user": "dibs", "team_id": team_id,
            "user_id": f"UB{team_id}", "bot_id": f"BB{team_id}"}  # fmt: skip


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


class FakeSlack:
    """Fake Slack: HTTP Web API on ``base_url`` plus a Socket Mode websocket server."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._overrides: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._reactions: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._history: dict[str, list[dict[str, Any]]] = {}
        self._files: dict[str, tuple[str, bytes]] = {}
        self.uploads: dict[str, dict[str, Any]] = {}  # files uploaded with files_upload_v2, by id
        self._memberships: dict[str, list[str]] = {}
        self._profiles: dict[str, dict[str, Any]] = {}
        self._groups: dict[str, list[str]] = {}
        self._missing_scopes: set[str] = set()
        self._outage: tuple[float, _Failure, set[str]] | None = None
        self._delays: dict[str, float] = {}
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        self._ws_clients: set[ServerConnection] = set()
        self.socket_acks: list[dict[str, Any]] = []
        self._codes: dict[str, tuple[str, str]] = {}  # code -> (team id, name), usable once
        self._tokens: dict[str, dict[str, Any]] = {}  # bot token -> its auth.test identity
        self._revoked: set[str] = set()
        self._token_counter = itertools.count(1)
        self.redirect_url: str | None = None  # the app's redirect URL, as its manifest lists it
        self._http: _HTTPServer | None = None
        self._ws: Server | None = None
        self._threads: list[threading.Thread] = []
        self.base_url = ""
        self.ws_url = ""
        # Sent as the x-oauth-scopes header of every answer (Slack's way of saying what a token may do).
        self.scopes: list[str] | None = None
        self.members: set[str] = set()  # channels the bot is in (conversations.join adds; conversations.info tells)

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> FakeSlack:
        """Start the HTTP and websocket servers on free ports of 127.0.0.1."""
        self._http = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._http.fake = self
        # Frequent pings (Slack pings too) wake slack_sdk's reader, which otherwise holds its receive
        # lock in a 3 s blocking recv() and makes SocketModeClient.close() take ~3 s.
        self._ws = serve(
            self._ws_handler,
            "127.0.0.1",
            0,
            compression=None,
            ping_interval=0.1,
            ping_timeout=10,
            close_timeout=1,
        )
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}/api/"
        self.ws_url = f"ws://127.0.0.1:{self._ws.socket.getsockname()[1]}/link"
        for name, target in (
            ("fakeslack-http", functools.partial(self._http.serve_forever, poll_interval=0.05)),
            ("fakeslack-ws", self._ws.serve_forever),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Shut both servers down (idempotent); open websockets are closed with 1001."""
        if self._ws is not None:
            self._ws.shutdown()
            self._ws = None
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

    # ---------------------------------------------------------------- configuration
    def set_response(self, method: str, payload: dict[str, Any]) -> None:
        """Always answer ``method`` with ``payload`` (until :meth:`clear`)."""
        with self._cond:
            self._overrides[method] = copy.deepcopy(payload)

    def set_reactions(self, channel: str, ts: str, reactions: list[dict[str, Any]]) -> None:
        """Configure what ``reactions.get`` returns for the message ``channel``/``ts``."""
        with self._cond:
            self._reactions[(channel, ts)] = copy.deepcopy(reactions)

    def outage(
        self, seconds: float, status: int = 500, retry_after: int | None = None, spare: tuple[str, ...] = ("auth.test",)
    ) -> None:
        """Answer every Web API call (but ``spare``) with ``status`` for the next ``seconds``."""
        with self._cond:
            self._outage = (time.monotonic() + seconds, _Failure(status, retry_after, None), set(spare))

    def delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` ``seconds`` after doing it (a slow Slack, or a slow way back)."""
        with self._cond:
            self._delays[method] = seconds

    def add_file(self, file_id: str, name: str, content: bytes) -> dict[str, Any]:
        """A file shared in Slack: ``files.info`` describes it and its private URL serves it (with a token)."""
        with self._cond:
            self._files[file_id] = (name, content)
        return self._file_info(file_id)

    def _file_info(self, file_id: str) -> dict[str, Any]:
        name, content = self._files[file_id]
        assert self._http is not None
        url = f"http://127.0.0.1:{self._http.server_address[1]}/files/{file_id}/{name}"
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "text"
        return {"id": file_id, "name": name, "filetype": filetype, "size": len(content),
                "url_private": url, "url_private_download": url}  # fmt: skip

    def set_memberships(self, user: str, channels: list[str]) -> None:
        """The conversations ``users.conversations`` says ``user`` is a member of."""
        with self._cond:
            self._memberships[user] = list(channels)

    def set_status(self, user: str, emoji: str, text: str = "") -> None:
        """``user``'s Slack status (``users.info`` shows it in the profile)."""
        with self._cond:
            self._profiles[user] = {"status_emoji": emoji, "status_text": text}

    def set_group(self, group: str, users: list[str]) -> None:
        """The members of a user group (``usergroups.users.list``)."""
        with self._cond:
            self._groups[group] = list(users)

    def without_scope(self, scope: str) -> None:
        """Answer the methods that need ``scope`` with Slack's ``missing_scope``."""
        with self._cond:
            self._missing_scopes.add(scope)

    def uploaded(self) -> list[dict[str, Any]]:
        """Files shared with files.completeUploadExternal, in order (each with its bytes as ``content``)."""
        with self._cond:
            return [copy.deepcopy(f) for f in self.uploads.values() if f.get("shared")]

    def add_history(self, channel: str, message: dict[str, Any]) -> None:
        """A top-level message in ``channel``'s history (``conversations.history`` returns it)."""
        with self._cond:
            self._history.setdefault(channel, []).append(copy.deepcopy(message))

    def fail_next(
        self,
        method: str,
        status: int = 500,
        count: int = 1,
        retry_after: int | None = None,
        body: Any = None,
        token: str | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (``"*"``: any method) answer HTTP ``status``.

        429 answers carry ``Retry-After: retry_after`` (default 1) and Slack's ``ratelimited`` body;
        ``body`` (dict, str or bytes) replaces the default error body. With ``token``, only calls
        carrying that token fail (one workspace's rate limit).
        """
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(_Failure(status, retry_after, body, token) for _ in range(count))

    # ---------------------------------------------------------------- installs
    def approve(self, team_id: str, name: str | None = None) -> str:
        """A one-time code for installing the app in ``team_id`` (what Slack's Allow button hands back)."""
        code = f"code-{team_id}-{uuid.uuid4().hex[:8]}"
        with self._cond:
            self._codes[code] = (team_id, name or f"Workspace {team_id}")
        return code

    def tokens_of(self, team_id: str) -> list[str]:
        """Every bot token issued for ``team_id``, oldest first."""
        with self._cond:
            return [token for token, who in self._tokens.items() if who["team_id"] == team_id]

    def revoke(self, team_id: str) -> None:
        """The app was uninstalled from ``team_id``: its tokens answer ``token_revoked`` from now on."""
        with self._cond:
            self._revoked.update(t for t, who in self._tokens.items() if who["team_id"] == team_id)

    def clear(self) -> None:
        """Forget recorded calls, socket acks, response overrides, pending failures and reactions."""
        with self._cond:
            self._calls.clear()
            self.socket_acks.clear()
            self._overrides.clear()
            self._failures.clear()
            self._reactions.clear()
            self._history.clear()
            self._files.clear()
            self.uploads.clear()
            self._memberships.clear()
            self._profiles.clear()
            self._groups.clear()
            self._missing_scopes.clear()
            self._outage = None
            self._delays.clear()  # installs (codes, tokens, revocations) stay: they are Slack's state

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
        return f"http://127.0.0.1:{self._http.server_address[1]}/response_url/{name}"

    def wait_for(
        self,
        method: str | None,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until at least ``count`` calls of ``method`` (matching ``predicate``) were recorded."""

        def matching() -> list[Call]:
            return [
                c for c in self._calls if (method is None or c.method == method) and (predicate is None or predicate(c))
            ]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout):
                return matching()
            seen = [c.method for c in self._calls]
            found = len(matching())
        raise AssertionError(
            f"timed out after {timeout}s waiting for {count} call(s) of {method!r}"
            f" (found {found}); recorded methods: {seen}"
        )

    # ---------------------------------------------------------------- HTTP
    def _handle(self, req: _Handler) -> None:
        received = time.monotonic()
        url = urlsplit(req.path)
        if url.path.startswith("/api/"):
            method = url.path[len("/api/") :]
        elif url.path.startswith("/response_url/"):
            method = "response_url"
        elif url.path.startswith("/files/"):
            return self._serve_file(req, url.path.split("/")[2])
        elif url.path.startswith("/upload/"):
            return self._receive_upload(req, url.path.split("/")[2])
        elif url.path == "/oauth/v2/authorize":
            return self._authorize(req, dict(parse_qsl(url.query)))
        else:
            return self._send(req, 404, {"ok": False, "error": "unknown_url"})
        params, token = self._parse_request(req, url.query)
        with self._cond:
            delay = self._delays.get(method, 0.0)
            failure = self._take_failure(method, token)
            if failure is None and self._outage is not None:
                until, during, spare = self._outage
                if time.monotonic() < until and method not in spare and method != "response_url":
                    failure = during
            if failure is not None:
                status, headers, body = self._failure_answer(failure)
            elif token in self._revoked and method != "response_url":
                status, headers, body = 200, {}, {"ok": False, "error": "token_revoked"}
            else:
                status, headers, body = 200, {}, self._answer(method, params, token)
                if self.scopes is not None:
                    headers["x-oauth-scopes"] = ",".join(self.scopes)
            response = body if isinstance(body, dict) else None
            self._calls.append(Call(method, params, token, received, status, url.path, response))
            self._cond.notify_all()
        if delay:  # Slack has done it; the answer is slow to come back (a caller may die waiting)
            time.sleep(delay)
        self._send(req, status, body, headers)

    def _take_failure(self, method: str, token: str | None) -> _Failure | None:
        """The first injected failure for this call (its method's, then any method's), taken off its queue."""
        for queue in (self._failures.get(method), self._failures.get("*")):
            for failure in queue or ():
                if failure.token is None or failure.token == token:
                    queue.remove(failure)  # type: ignore[union-attr]
                    return failure
        return None

    def _authorize(self, req: _Handler, query: dict[str, str]) -> None:
        """Slack's authorize page, with the admin clicking Allow: back to the app's redirect URL with a code."""
        team = query.get("team") or "T111"
        redirect = query.get("redirect_uri") or self.redirect_url
        with self._cond:
            self._calls.append(Call("oauth.authorize", query, None, time.monotonic(), path=req.path))
            self._cond.notify_all()
        if not redirect:
            return self._send(req, 400, {"ok": False, "error": "no_redirect_url"})
        back = {"code": self.approve(team), "state": query.get("state", "")}
        req.send_response(302)
        req.send_header("Location", f"{redirect}?{urlencode(back)}")
        req.send_header("Content-Length", "0")
        req.end_headers()

    def _install(self, p: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: a code from ``approve`` (once) becomes a bot token of its workspace."""
        found = self._codes.pop(str(p.get("code")), None)
        if found is None or not p.get("client_id") or not p.get("client_secret"):
            return {"ok": False, "error": "invalid_code" if found is None else "invalid_client_id"}
        team_id, name = found
        token = f"xoxb-{team_id}-{next(self._token_counter)}"
        self._tokens[token] = workspace_identity(team_id, name)
        return {
            "ok": True, "app_id": "A111", "authed_user": {"id": f"UI{team_id}"}, "scope": "commands,chat:write",
            "token_type": "bot", "access_token": token, "bot_user_id": f"UB{team_id}",
            "team": {"id": team_id, "name": name}, "enterprise": None, "is_enterprise_install": False,
        }  # fmt: skip

    @staticmethod
    def _parse_request(req: _Handler, query: str) -> tuple[dict[str, Any], str | None]:
        raw = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        ctype = req.headers.get("Content-Type", "")
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        if ctype.startswith("application/json"):
            params.update(json.loads(raw or b"{}"))  # a malformed body answers 500 (a bug in the caller)
        elif ctype.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
            for part in msg.iter_parts():
                data: bytes = part.get_payload(decode=True)  # type: ignore[assignment]
                name = str(part.get_param("name", header="content-disposition"))
                params[name] = data if part.get_filename() else data.decode()
        else:
            params.update(parse_qsl(raw.decode(), keep_blank_values=True))
        for key in JSON_FIELDS:
            if isinstance(params.get(key), str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        auth = req.headers.get("Authorization", "")
        if auth.startswith("Basic "):  # oauth.v2.access: the app's credentials
            client_id, _, client_secret = b64decode(auth[len("Basic ") :]).decode().partition(":")
            params.update(client_id=client_id, client_secret=client_secret)
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else params.get("token")
        return params, token

    @staticmethod
    def _failure_answer(failure: _Failure) -> tuple[int, dict[str, str], Any]:
        headers: dict[str, str] = {}
        if failure.status == 429:
            headers["Retry-After"] = str(1 if failure.retry_after is None else failure.retry_after)
            default: dict[str, Any] = {"ok": False, "error": "ratelimited"}
        else:
            default = {"ok": False, "error": "internal_error" if failure.status >= 500 else "fake_error"}
        return failure.status, headers, default if failure.body is None else failure.body

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_000 + 100 * next(self._ts_counter)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _answer(self, method: str, p: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """The JSON Slack would answer (called with the lock held)."""
        if method in self._overrides:
            return copy.deepcopy(self._overrides[method])
        needed = SCOPE_OF.get(method)
        if needed in self._missing_scopes:
            return {"ok": False, "error": "missing_scope", "needed": needed, "provided": "chat:write,commands"}
        channel = p.get("channel")
        if method.startswith("files.") or method in ("conversations.open", "users.conversations", "users.info",
                                                       "usergroups.users.list"):  # fmt: skip
            return self._people_and_files(method, p)
        if method == "oauth.v2.access":
            return self._install(p)
        if method == "auth.test":
            return {"ok": True, **self._tokens.get(str(token), AUTH_TEST)}
        if method == "chat.postMessage":
            ts = self._next_ts()
            message = {
                "type": "message",
                "user": "UBOT",
                "bot_id": "BBOT",
                "ts": ts,
                "text": p.get("text", ""),
            }
            message.update({k: p[k] for k in ("blocks", "thread_ts", "metadata") if k in p})
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": p.get("ts"), "text": p.get("text", "")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.getPermalink":
            ts = str(p.get("message_ts", ""))
            return {
                "ok": True,
                "channel": channel,
                "permalink": f"https://test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
            }
        if method == "conversations.history":
            return self._conversation_history(str(channel), p)
        if method == "conversations.replies":
            return self._conversation_replies(str(channel), str(p.get("ts")))
        if method == "conversations.join":
            self.members.add(str(channel))
            return {"ok": True, "channel": {"id": channel}}
        if method == "conversations.info":
            return {
                "ok": True,
                "channel": {"id": channel, "name": str(channel).lower(), "is_member": channel in self.members},
            }
        if method in ("views.open", "views.publish", "views.update"):
            view = dict(p["view"]) if isinstance(p.get("view"), dict) else {}
            view["id"] = p.get("view_id") or f"V{next(self._id_counter):08d}"
            return {"ok": True, "view": view}
        if method == "reactions.get":
            reactions = copy.deepcopy(self._reactions.get((str(channel), str(p.get("timestamp"))), []))
            return {
                "ok": True,
                "type": "message",
                "channel": channel,
                "message": {"type": "message", "ts": p.get("timestamp"), "reactions": reactions},
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url}
        return {"ok": True}

    def _people_and_files(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._id_counter):08d}"
            assert self._http is not None
            url = f"http://127.0.0.1:{self._http.server_address[1]}/upload/{file_id}"
            self.uploads[file_id] = {"id": file_id, "filename": p.get("filename"), "length": int(p.get("length") or 0),
                                     "alt_txt": p.get("alt_txt")}  # fmt: skip
            return {"ok": True, "upload_url": url, "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = p.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            shared = []
            for entry in files:
                upload = self.uploads.get(str(entry.get("id")))
                if upload is None or "content" not in upload:
                    return {"ok": False, "error": "file_not_found"}
                upload.update(shared=True, title=entry.get("title"), channel_id=p.get("channel_id"),
                              initial_comment=p.get("initial_comment"), thread_ts=p.get("thread_ts"))  # fmt: skip
                shared.append({"id": upload["id"], "title": upload["title"], "name": upload["filename"]})
            return {"ok": True, "files": shared}
        if method == "files.info":
            file_id = str(p.get("file"))
            if file_id not in self._files:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": self._file_info(file_id)}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(p.get("users", "")).lstrip("UW")}}
        if method == "users.conversations":
            channels = self._memberships.get(str(p.get("user")), [])
            return {"ok": True, "channels": [{"id": c} for c in channels], "response_metadata": {"next_cursor": ""}}
        if method == "users.info":
            user = str(p.get("user"))
            profile = {"status_emoji": "", "status_text": "", **self._profiles.get(user, {})}
            return {"ok": True, "user": {"id": user, "deleted": False, "is_bot": False, "profile": profile}}
        users = self._groups.get(str(p.get("usergroup")), [])
        return {"ok": True, "users": list(users)}

    def _receive_upload(self, req: _Handler, file_id: str) -> None:
        """The upload URL files.getUploadURLExternal handed out: it takes the bytes (answers 200 ``OK``)."""
        data = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        with self._cond:
            upload = self.uploads.get(file_id)
            self._calls.append(Call("upload", {"id": file_id, "size": len(data)}, None, time.monotonic()))
            if upload is not None:
                upload["content"] = data
            self._cond.notify_all()
        if upload is None:
            return self._send(req, 404, "Not Found")
        req.send_response(200)
        req.send_header("Content-Type", "text/plain; charset=utf-8")
        req.send_header("Content-Length", "2")
        req.end_headers()
        req.wfile.write(b"OK")

    def _serve_file(self, req: _Handler, file_id: str) -> None:
        """A file's private URL: its content, only with a bot token (as Slack answers)."""
        with self._cond:
            found = self._files.get(file_id)
            self._calls.append(Call("file", {"id": file_id}, req.headers.get("Authorization"), time.monotonic()))
            self._cond.notify_all()
        if found is None or not str(req.headers.get("Authorization", "")).startswith("Bearer xoxb-"):
            return self._send(req, 404, {"ok": False, "error": "file_not_found"})
        req.send_response(200)
        req.send_header("Content-Type", "text/csv")
        req.send_header("Content-Length", str(len(found[1])))
        req.end_headers()
        req.wfile.write(found[1])

    def _conversation_history(self, channel: str, p: dict[str, Any]) -> dict[str, Any]:
        """Newest first, after ``oldest``, at most ``limit`` (the rest behind a cursor, like Slack)."""
        oldest = float(p.get("oldest") or 0)
        messages = sorted(
            (m for m in self._history.get(channel, []) if float(m["ts"]) > oldest),
            key=lambda m: float(m["ts"]),
            reverse=True,
        )
        start = int(p.get("cursor") or 0)
        limit = int(p.get("limit") or 100)
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        return {
            "ok": True,
            "messages": copy.deepcopy(page),
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _conversation_replies(self, channel: str, ts: str) -> dict[str, Any]:
        """The thread: its parent (if in the history) and every reply the fake accepted."""
        parent = [m for m in self._history.get(channel, []) if m["ts"] == ts]
        replies = [
            c.response["message"]
            for c in self._calls
            if c.method == "chat.postMessage"
            and c.status == 200
            and c.response
            and c.params.get("channel") == channel
            and c.params.get("thread_ts") == ts
        ]
        return {"ok": True, "messages": copy.deepcopy(parent + replies), "has_more": False}

    @staticmethod
    def _send(req: _Handler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        text = body if isinstance(body, str | bytes) else json.dumps(body)
        data = text if isinstance(text, bytes) else text.encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json; charset=utf-8")
        req.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            req.send_header(key, value)
        req.end_headers()
        req.wfile.write(data)

    # ---------------------------------------------------------------- Socket Mode
    def _ws_handler(self, conn: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fakeslack", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A111"},
        }
        try:
            conn.send(json.dumps(hello))
            with self._cond:
                self._ws_clients.add(conn)
                self._cond.notify_all()
            for message in conn:
                try:
                    parsed = json.loads(message)
                except ValueError:
                    parsed = {"raw": message}
                with self._cond:
                    self.socket_acks.append(parsed)
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self._ws_clients.discard(conn)
                self._cond.notify_all()

    def socket_connected(self, timeout: float = 5.0) -> bool:
        """Wait until a Socket Mode client is connected (and got its hello); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: bool(self._ws_clients), timeout)

    def socket_send(self, envelope: dict[str, Any]) -> int:
        """Send ``envelope`` as JSON to every connected client; returns how many got it."""
        with self._cond:
            clients = list(self._ws_clients)
        if not clients:
            raise AssertionError("no Socket Mode client is connected")
        sent = 0
        for conn in clients:
            try:
                conn.send(json.dumps(envelope))
                sent += 1
            except ConnectionClosed:
                pass
        return sent

    def wait_socket_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the client's ack (``{"envelope_id": ..., "payload": ...}``) of ``envelope_id``."""

        def find() -> dict[str, Any] | None:
            return next((a for a in self.socket_acks if a.get("envelope_id") == envelope_id), None)

        with self._cond:
            if self._cond.wait_for(lambda: find() is not None, timeout):
                return find()  # type: ignore[return-value]
            seen = [a.get("envelope_id") for a in self.socket_acks]
        raise AssertionError(f"no ack for envelope {envelope_id!r} within {timeout}s; acks seen: {seen}")

    @staticmethod
    def socket_envelope(kind: str, payload: dict[str, Any], envelope_id: str | None = None) -> dict[str, Any]:
        """Build a Socket Mode envelope of ``kind`` events_api / slash_commands / interactive."""
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": kind}
        if kind == "events_api":
            envelope.update(accepts_response_payload=False, retry_attempt=0, retry_reason="")
        else:
            envelope["accepts_response_payload"] = True
        envelope["payload"] = payload
        return envelope

"""The demo's one HTTP server: the page and its JSON, the Web API stand-in, response URLs and shared files.

It listens on 127.0.0.1 only. The page's own endpoints take JSON and check the Host header, so another
web site open in the same browser cannot act for the visitor.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs

from bot.demo.actions import ActionError, Demo
from bot.demo.standin import StandIn
from bot.demo.view import state
from bot.demo.world import ADMIN
from bot.fakeslack import bearer, parse_request
from bot.settings import Settings

log = logging.getLogger(__name__)
STATIC = {
    "/": ("index.html", "text/html"),
    "/app.js": ("app.js", "text/javascript"),
    "/blocks.js": ("blocks.js", "text/javascript"),
    "/style.css": ("style.css", "text/css"),
}
WAIT = 20.0  # seconds the page's request for news waits before answering "nothing new"
StartResponse = Callable[..., Any]


def _send(
    start: StartResponse, status: str, body: bytes, kind: str, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    headers = [
        ("Content-Type", kind),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        *(extra or []),
    ]
    start(status, headers)
    return [body]


def _json(
    start: StartResponse, data: Any, status: str = "200 OK", extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    return _send(start, status, json.dumps(data).encode(), "application/json; charset=utf-8", extra)


def _body(environ: dict[str, Any]) -> bytes:
    length = str(environ.get("CONTENT_LENGTH") or "0")
    return environ["wsgi.input"].read(min(int(length), 2_000_000)) if length.isdigit() else b""


class Page:
    """The WSGI application behind http://127.0.0.1:PORT/."""

    def __init__(self, standin: StandIn, settings: Settings) -> None:
        self.standin = standin
        self.demo: Demo | None = None  # set once the bot is up (the stand-in answers its auth.test before)
        self.settings = settings
        self.hosts: set[str] = set()
        self.base = ""

    def listening_on(self, port: int) -> None:
        """The port the page is served on: requests for the page's JSON must name it in their Host header."""
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.base = f"http://127.0.0.1:{port}"

    @property
    def ready(self) -> Demo:
        """The demo, once the bot is up."""
        if self.demo is None:
            raise ActionError("the bot is still starting; try again in a second")
        return self.demo

    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        path, method = str(environ.get("PATH_INFO") or "/"), environ.get("REQUEST_METHOD")
        if path.startswith("/api/"):
            return self._web_api(environ, start, path[len("/api/") :])
        if self.demo is None and path.startswith(("/demo/", "/respond", "/files/")):
            return _json(start, {"error": "the bot is still starting"}, "503 Service Unavailable")
        if path == "/respond" and method == "POST":
            return self._respond(environ, start)
        if path == "/favicon.ico":
            return _send(start, "204 No Content", b"", "image/x-icon")
        if path.startswith("/files/"):
            return self._file(environ, start, path.split("/")[2])
        if path.startswith("/upload/") and method == "POST":
            with self.standin.record.changed:
                found = self.standin.api.receive_upload(path.split("/")[2], _body(environ))
            return _send(start, "200 OK" if found else "404 Not Found", b"OK" if found else b"", "text/plain")
        if path in STATIC and method == "GET":
            name, kind = STATIC[path]
            body = files("bot.demo").joinpath("static", name).read_bytes()
            return _send(
                start, "200 OK", body, f"{kind}; charset=utf-8", [("Content-Security-Policy", "default-src 'self'")]
            )
        if path in ("/demo/state", "/demo/act"):
            if environ.get("HTTP_HOST") not in self.hosts:
                return _json(start, {"error": "use the address dibs demo printed"}, "403 Forbidden")
            return self._state(environ, start) if path == "/demo/state" else self._act(environ, start)
        return _json(start, {"error": "not found"}, "404 Not Found")

    def _web_api(self, environ: dict[str, Any], start: StartResponse, method: str) -> list[bytes]:
        header = {key: str(environ.get(key) or "") for key in ("CONTENT_TYPE", "QUERY_STRING", "HTTP_AUTHORIZATION")}
        params, token = parse_request(_body(environ), *header.values())
        answer = self.standin.call(method, params, token)
        return _json(start, answer, extra=[("x-oauth-scopes", self.standin.scopes_header)])

    def _respond(self, environ: dict[str, Any], start: StartResponse) -> list[bytes]:
        query = parse_qs(str(environ.get("QUERY_STRING") or ""))
        channel, user, thread_ts = json.loads(query.get("to", ['["", "", null]'])[0])
        answer = json.loads(_body(environ) or b"{}")
        self.ready.answer(channel, user, thread_ts, answer if isinstance(answer, dict) else {})
        return _send(start, "200 OK", b"ok", "text/plain")

    def _file(self, environ: dict[str, Any], start: StartResponse, file_id: str) -> list[bytes]:
        with self.standin.record.changed:
            content = self.standin.api.file_content(file_id, bearer(environ.get("HTTP_AUTHORIZATION")))
        if content is None:
            return _json(start, {"ok": False, "error": "file_not_found"}, "404 Not Found")
        return _send(start, "200 OK", content, "text/csv; charset=utf-8")

    def _state(self, environ: dict[str, Any], start: StartResponse) -> list[bytes]:
        query = parse_qs(str(environ.get("QUERY_STRING") or ""))
        me = query.get("user", [ADMIN])[0]
        since = int(query.get("since", ["-1"])[0] or -1)
        self.ready.record.wait(since, WAIT)
        return _json(
            start, state(self.ready.record, Demo.person(me) if me else ADMIN, self.ready.clock.now(), self.settings)
        )

    def _act(self, environ: dict[str, Any], start: StartResponse) -> list[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or not str(environ.get("CONTENT_TYPE")).startswith(
            "application/json"
        ):
            return _json(start, {"error": "POST JSON"}, "400 Bad Request")
        try:
            action = json.loads(_body(environ))
            result = self.act(action if isinstance(action, dict) else {})
        except (ActionError, ValueError, KeyError, TypeError) as error:
            return _json(start, {"error": str(error)}, "400 Bad Request")
        return _json(start, result or {})

    def act(self, a: dict[str, Any]) -> dict[str, Any] | None:
        """Do what the page asked, as the person it names."""
        demo, kind = self.ready, a.get("type")
        user = demo.person(a.get("user"))
        if kind == "post":
            text = str(a.get("text") or "").strip()
            if text.startswith("/dibs"):
                demo.command(user, str(a["channel"]), text, a.get("thread_ts"))
            elif text:
                demo.post(user, str(a["channel"]), text, a.get("thread_ts"))
        elif kind == "react":
            demo.react(user, str(a["channel"]), str(a["ts"]), str(a["name"]))
        elif kind == "click":
            demo.click(user, dict(a["where"]), dict(a["action"]))
        elif kind == "submit":
            return demo.submit(user, dict(a.get("values") or {}))
        elif kind == "close":
            demo.close(user)
        elif kind == "home":
            demo.open_home(user)
        elif kind == "shortcut":
            demo.shortcut(user, str(a["channel"]), str(a["ts"]))
        elif kind == "clock":
            demo.advance(str(a.get("step")))
        else:
            raise ActionError(f"unknown action {kind!r}")
        return None

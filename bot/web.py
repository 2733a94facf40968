"""The HTTP side: Slack's requests at POST /slack/events, behind a gate, and GET /healthz.

The gate answers before Bolt parses anything: a body over 1 MB gets 413, a request without a valid
Slack signature 401 (logged by its size and path only: nothing unverified reaches the log), and a
signed body of the wrong shape 400. Bolt then verifies again and dispatches.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk.signature import SignatureVerifier

from bot.slack.payloads import payload_problem

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000  # bytes; Slack's own payloads are far smaller


def shape_problem(body: str, content_type: str) -> str | None:
    """Why a signed body is not something Slack sends, or None when it has the right shape."""
    try:
        if content_type.startswith("application/json"):
            parsed = json.loads(body)
        else:
            form = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
            parsed = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, RecursionError):
        return "not JSON"
    if not isinstance(parsed, dict) or not (isinstance(parsed.get("type"), str) or "command" in parsed):
        return "neither an event, a command nor a payload"
    if parsed.get("type") == "url_verification":
        return None
    return payload_problem(parsed)


class SlackEndpoint(SlackRequestHandler):
    """Bolt's WSGI handler behind the gate."""

    def __init__(self, app: App, signing_secret: str | None, path: str = "/slack/events") -> None:
        super().__init__(app, path)
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def _signed(self, body: str, headers: dict[str, Any]) -> bool:
        timestamp = str(headers.get("x-slack-request-timestamp") or "")
        signature = str(headers.get("x-slack-signature") or "")
        if self.verifier is None or not timestamp.isdigit() or not signature:
            return False
        return self.verifier.is_valid(body, timestamp, signature)

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        """Refuse what is too big, unsigned or malformed; hand the rest to Bolt."""
        length = str(request.environ.get("CONTENT_LENGTH") or "0")
        size = int(length) if length.isdigit() else MAX_BODY + 1
        if size > MAX_BODY:
            log.info("refused a request of %s bytes to %s: over %s", size, request.path, MAX_BODY)
            return BoltResponse(status=413, body="request body too large")
        try:
            body = request.get_body()
        except ValueError:  # not UTF-8
            return BoltResponse(status=400, body="malformed request body")
        headers = request.get_headers()
        if not self._signed(body, headers):
            log.info("refused a request of %s bytes to %s without a valid Slack signature", size, request.path)
            return BoltResponse(status=401, body="invalid request")
        problem = shape_problem(body, str(headers.get("content-type") or ""))
        if problem:
            log.warning("refused a signed request of %s bytes to %s: %s", size, request.path, problem)
            return BoltResponse(status=400, body="malformed request body")
        return self.app.dispatch(BoltRequest(body=body, query=request.query_string, headers=headers))


def wsgi_app(app: App, signing_secret: str | None, healthy: Callable[[], bool]) -> Any:
    """The WSGI application: Slack's requests at POST /slack/events, and GET /healthz."""
    slack = SlackEndpoint(app, signing_secret)

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            ok = healthy()
            start_response(
                "200 OK" if ok else "503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")]
            )
            return [b"ok\n" if ok else b"database unavailable\n"]
        return slack(environ, start_response)

    return application

"""The HTTP side: Slack's requests at POST /slack/events, behind a gate, the webhooks (POST /intake, and the
gifting platforms' POST /intake/goody and /intake/sendoso), GET /healthz, and (`with_operations`) GET /metrics
and GET /readyz.

The gate answers before Bolt parses anything: a body over 1 MB gets 413, a request without a valid
Slack signature 401 (logged by its size and path only: nothing unverified reaches the log), and a
signed body of the wrong shape 400. Bolt then verifies again and dispatches.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk.signature import SignatureVerifier

from bot import metrics
from bot.delivery.jobs import Traffic
from bot.gifts.webhooks import READERS
from bot.gifts.webhooks import receive as receive_gift
from bot.intake.webhook import Answer, authorised
from bot.intake.webhook import receive as receive_intake
from bot.slack.payloads import is_ssl_check, payload_problem

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000  # bytes; Slack's own payloads are far smaller
MAX_INTAKE_BODY = 100_000


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
        if is_ssl_check(body, str(headers.get("content-type") or "")):  # Slack does not sign it
            return BoltResponse(status=200, body="")
        if not self._signed(body, headers):
            log.info("refused a request of %s bytes to %s without a valid Slack signature", size, request.path)
            return BoltResponse(status=401, body="invalid request")
        problem = shape_problem(body, str(headers.get("content-type") or ""))
        if problem:
            log.warning("refused a signed request of %s bytes to %s: %s", size, request.path, problem)
            return BoltResponse(status=400, body="malformed request body")
        return self.app.dispatch(BoltRequest(body=body, query=request.query_string, headers=headers))


Webhook = Callable[[bytes, dict[str, str], str], Answer]  # (body, headers by lower-case name, query string)
STATUS = {200: "200 OK", 201: "201 Created", 400: "400 Bad Request", 401: "401 Unauthorized", 404: "404 Not Found",
          405: "405 Method Not Allowed", 413: "413 Payload Too Large", 503: "503 Service Unavailable"}  # fmt: skip


def _text(
    start_response: Any, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8"
) -> list[bytes]:
    start_response(STATUS[status], [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _json(start_response: Any, status: int, body: dict[str, Any]) -> list[bytes]:
    return _text(start_response, status, json.dumps(body).encode(), "application/json")


def _health(start_response: Any, healthy: Callable[[], bool]) -> list[bytes]:
    """GET /healthz: 200 while the database answers, else 503."""
    ok = healthy()
    return _text(start_response, 200 if ok else 503, b"ok\n" if ok else b"database unavailable\n")


def _posted(environ: dict[str, Any]) -> tuple[int, dict[str, Any]] | bytes:
    """The body of a POST of at most MAX_INTAKE_BODY bytes, or the refusal (405, 413)."""
    if environ.get("REQUEST_METHOD") != "POST":
        return 405, {"error": "use POST"}
    length = str(environ.get("CONTENT_LENGTH") or "0")
    if not length.isdigit() or int(length) > MAX_INTAKE_BODY:
        return 413, {"error": f"the body must be at most {MAX_INTAKE_BODY} bytes"}
    return bytes(environ["wsgi.input"].read(int(length))) if int(length) else b""


def _webhook(environ: dict[str, Any], start_response: Any, handler: Webhook | None) -> list[bytes]:
    """A webhook: 404 without its `handler`, 405 or 413 (`_posted`), else what `handler` answers."""
    if handler is None:
        return _json(start_response, 404, {"error": "not found"})
    body = _posted(environ)
    if not isinstance(body, bytes):
        return _json(start_response, *body)
    headers = {k[5:].lower().replace("_", "-"): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
    answer = handler(body, headers, str(environ.get("QUERY_STRING") or ""))
    return _json(start_response, answer.status, answer.body)


def wsgi_app(
    app: App, signing_secret: str | None, healthy: Callable[[], bool], services: Services,
    team: Callable[[], str] | None, traffic: Traffic | None = None,
) -> Any:  # fmt: skip
    """The WSGI application: Slack's requests at POST /slack/events, GET /healthz, and the webhooks: POST /intake
    (`bot.intake.webhook`, 404 while DIBS_INTAKE_TOKEN is unset) and /intake/goody, /intake/sendoso
    (`bot.gifts.webhooks`). `team` gives the bot token's workspace (None: many). While one of Slack's requests
    is answered, `traffic` says so (the courier gives way)."""
    slack = SlackEndpoint(app, signing_secret)
    token = services.settings.intake_token

    def only() -> str | None:
        return team() if team is not None else None

    def intake(body: bytes, headers: dict[str, str], query: str) -> Answer:
        """POST /intake, after the size check: the token, then the body."""
        if not token or not authorised(headers.get("authorization") or "", token):
            return Answer(401, {"error": "Authorization: Bearer <DIBS_INTAKE_TOKEN> is missing or wrong"})
        return receive_intake(services, only(), body)

    def gifts(source: str, body: bytes, headers: dict[str, str], query: str) -> Answer:
        return receive_gift(services, source, only(), body, headers, query)

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "")
        if path == "/healthz":
            return _health(start_response, healthy)
        if path == "/intake":
            return _webhook(environ, start_response, intake if token else None)
        source = path.removeprefix("/intake/")
        if source != path and source in READERS:
            return _webhook(environ, start_response, partial(gifts, source))
        if traffic is None:
            return slack(environ, start_response)
        traffic.enter()
        try:
            return slack(environ, start_response)
        finally:
            traffic.leave()

    return application


def with_operations(
    inner: Any | None, ready: Callable[[], str | None] | None = None, healthy: Callable[[], bool] | None = None
) -> Any:
    """What an operator's tools ask, in front of `inner` (the bot's app; None: only these, as on --metrics-port):
    GET /metrics (Prometheus's text format), GET /readyz (200, or 503 with the reason: `ready()`), and without
    `inner`, GET /healthz."""

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/metrics":
            body, content_type = metrics.render()
            return _text(start_response, 200, body, content_type)
        if path == "/readyz" and ready is not None:
            reason = ready()
            return _text(start_response, 503 if reason else 200, f"{reason or 'ready'}\n".encode())
        if inner is not None:
            return inner(environ, start_response)
        if path == "/healthz" and healthy is not None:
            return _health(start_response, healthy)
        return _text(start_response, 404, b"not found\n")

    return application

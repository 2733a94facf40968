"""The tests' fake Slack, failing on demand: 429s with ``Retry-After``, 5xx, outages, slow answers, missing scopes
and fixed answers, per method (and per token)."""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

# The scope a method needs, for ``without_scope`` (only the methods whose scope tests take away).
SCOPE_OF = {
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "conversations.open": "im:write",
    "users.info": "users:read",
    "dnd.teamInfo": "dnd:read",
    "users.conversations": "channels:read",
}


@dataclass
class Failure:
    """An HTTP failure to answer with."""

    status: int
    retry_after: int | None
    body: Any
    token: str | None = None  # only calls carrying this token (None: any)
    channel: str | None = None  # only calls to this channel (or person: their DM) (None: any)

    def answer(self) -> tuple[int, dict[str, str], Any]:
        """Status, headers and body: Slack's ``ratelimited`` with ``Retry-After`` for a 429."""
        if self.status == 429:
            default = {"ok": False, "error": "ratelimited"}
            headers = {"Retry-After": str(1 if self.retry_after is None else self.retry_after)}
        else:
            default, headers = {"ok": False, "error": "internal_error" if self.status >= 500 else "fake_error"}, {}
        return self.status, headers, default if self.body is None else self.body


class Failures:
    """The failures a test asked for; `FakeSlack` consults them (with its lock held) before answering."""

    _cond: threading.Condition

    def __init__(self) -> None:
        super().__init__()
        self._overrides: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, deque[Failure]] = {}
        self._missing_scopes: set[str] = set()
        self._outage: tuple[float, Failure, set[str]] | None = None
        self._delays: dict[str, float] = {}

    def set_response(self, method: str, payload: dict[str, Any]) -> None:
        """Always answer ``method`` with ``payload`` (until ``clear``)."""
        with self._cond:
            self._overrides[method] = copy.deepcopy(payload)

    def outage(
        self, seconds: float, status: int = 500, retry_after: int | None = None, spare: tuple[str, ...] = ("auth.test",)
    ) -> None:
        """Answer every Web API call (but ``spare``) with ``status`` for the next ``seconds``."""
        with self._cond:
            self._outage = (time.monotonic() + seconds, Failure(status, retry_after, None), set(spare))

    def delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` ``seconds`` after doing it (a slow Slack, or a slow way back)."""
        with self._cond:
            self._delays[method] = seconds

    def without_scope(self, scope: str) -> None:
        """Answer the methods that need ``scope`` with Slack's ``missing_scope``."""
        with self._cond:
            self._missing_scopes.add(scope)

    def fail_next(self, method: str, status: int = 500, count: int = 1, retry_after: int | None = None,
                  body: Any = None, token: str | None = None, channel: str | None = None) -> None:  # fmt: skip
        """Make the next ``count`` calls of ``method`` (``"*"``: any method) answer HTTP ``status``.

        429 answers carry ``Retry-After: retry_after`` (default 1) and Slack's ``ratelimited`` body;
        ``body`` (dict, str or bytes) replaces the default error body. With ``token``, only calls
        carrying that token fail (one workspace's rate limit); with ``channel``, only calls to that channel or
        person (a DM Slack refuses: ``status=200, body={"ok": False, "error": "channel_not_found"}``).
        """
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(status, retry_after, body, token, channel) for _ in range(count))

    def _forget_failures(self) -> None:
        for kept in (self._overrides, self._failures, self._missing_scopes, self._delays):
            kept.clear()
        self._outage = None

    def _failure(self, method: str, token: str | None, channel: object = None) -> Failure | None:
        """The failure this call meets: the first queued for its method (then for any), else an outage's."""
        for queue in (self._failures.get(method), self._failures.get("*")):
            for failure in queue or ():
                if failure.token in (None, token) and failure.channel in (None, channel):
                    queue.remove(failure)  # type: ignore[union-attr]
                    return failure
        if self._outage is not None:
            until, during, spare = self._outage
            if time.monotonic() < until and method not in spare and method != "response_url":
                return during
        return None

    def _refusal(self, method: str) -> dict[str, Any] | None:
        """A fixed answer for ``method``, or ``missing_scope`` if its scope was taken away."""
        if method in self._overrides:
            return copy.deepcopy(self._overrides[method])
        needed = SCOPE_OF.get(method)
        if needed in self._missing_scopes:
            return {"ok": False, "error": "missing_scope", "needed": needed, "provided": "chat:write,commands"}
        return None

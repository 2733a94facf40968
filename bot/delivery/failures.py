"""What a failed Web API call means: try again later (when), or never (give up, and say so once)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from slack_sdk.errors import SlackApiError, SlackObjectFormationError

# Slack's answers that a later attempt can change; every other `ok: false` answer is final.
TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "timeout"}
# Answers that mean the whole workspace is gone for Dibs (uninstalled, token revoked).
WORKSPACE_GONE = {"token_revoked", "account_inactive", "invalid_auth", "not_authed", "team_not_found"}
MAX_BACKOFF = timedelta(seconds=30)


@dataclass(frozen=True)
class Failure:
    """Why a call failed: Slack's error code (or the exception), and whether retrying can help."""

    error: str
    permanent: bool = False
    retry_after: timedelta | None = None  # Slack said when (429 Retry-After)

    @property
    def workspace_gone(self) -> bool:
        """The token no longer works: nothing more can be sent to this workspace."""
        return self.error in WORKSPACE_GONE


def failure_of(error: Exception) -> Failure:
    """Read a slack_sdk or network exception."""
    if isinstance(error, SlackObjectFormationError):  # a message Block Kit refuses: sending it again cannot help
        return Failure(f"{type(error).__name__}: {error}"[:200], permanent=True)
    if not isinstance(error, SlackApiError):
        return Failure(f"{type(error).__name__}: {error}"[:200])
    response = error.response
    data = response.data if isinstance(response.data, dict) else {}
    code = str(data.get("error") or f"HTTP {response.status_code}")
    if code == "missing_scope" and data.get("needed"):
        code = f"missing_scope (Dibs needs {data['needed']}; reinstall it with that scope)"
    if response.status_code == 429:
        headers = {str(k).lower(): v for k, v in (response.headers or {}).items()}
        raw = headers.get("retry-after", "1")
        seconds = float(raw[0] if isinstance(raw, list) else raw)
        return Failure(code, retry_after=timedelta(seconds=max(seconds, 0)))
    if response.status_code >= 500 or code in TRANSIENT:
        return Failure(code)
    return Failure(code, permanent=True)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure in a row: 2 s, 4 s, 8 s … at most 30 s."""
    return min(timedelta(seconds=2 ** min(attempts, 10)), MAX_BACKOFF)


def next_try(now: datetime, attempts: int, failure: Failure) -> datetime:
    """When to try again after `failure`: when Slack said, or after a growing back-off."""
    return now + (failure.retry_after if failure.retry_after is not None else backoff(attempts))


Outcome = Literal["sent", "later", "gave_up", "skipped"]


@dataclass(frozen=True)
class Result:
    """What became of one delivery: sent, to be tried again (`until`), given up, or not ours to do."""

    outcome: Outcome
    until: datetime | None = None
    failure: Failure | None = None
    what: str = ""  # what was given up, for the log


SENT = Result("sent")
SKIPPED = Result("skipped")


class OnceLog:
    """Logs a give-up once per conversation and error (an archived channel's hundred posts: one line)."""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def gave_up(self, where: str, what: str, failure: Failure) -> None:
        """Say that `what` in `where` will never be sent, and why (later ones alike only at DEBUG)."""
        with self._lock:
            first = (where, failure.error) not in self._seen
            self._seen.add((where, failure.error))
        level = logging.WARNING if first else logging.DEBUG
        self._log.log(level, "gave up %s in %s: Slack answered %s; not retrying", what, where, failure.error)

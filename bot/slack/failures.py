"""What a failed Web API call means: Slack's error code, and whether a later attempt can help (and when).

Base layer: the courier (`bot.delivery`) and the domain reading Slack (`bot.staffing.presence`) both classify
failures here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError, SlackObjectFormationError

# Slack's answers that a later attempt can change; every other `ok: false` answer is final.
TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "timeout"}
# Answers that mean the whole workspace is gone for Dibs (uninstalled, token revoked).
WORKSPACE_GONE = {"token_revoked", "account_inactive", "invalid_auth", "not_authed", "team_not_found"}


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

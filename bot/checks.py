"""Start-up checks shared by `dibs serve` and `dibs doctor`: can Slack be reached, does it take the token,
does the database answer. Each failure is one sentence an admin can act on."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from sqlalchemy.engine import make_url

from bot.settings import Settings

README_APP = 'see "Create the Slack app" in README.md'
README_MANY = 'see "Many workspaces" in README.md'
# Slack's answers that mean the token itself is wrong (as opposed to Slack being unreachable or down).
REJECTED = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
                      "not_allowed_token_type"})  # fmt: skip


class StartupError(Exception):
    """A check failed; the message says what and what to do."""


def first_line(error: BaseException) -> str:
    """`ClassName: the first line of the message`, for errors that span a screen (SQLAlchemy's)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{cause.__class__.__name__}: {lines[0] if lines else ''}".rstrip(": ")


def quiet_client(settings: Settings, timeout: int = 10) -> WebClient:
    """A client for checks: no retries and no log lines of its own (the check says what went wrong, once)."""
    silent = logging.getLogger("dibs.checks.slack")
    silent.disabled = True
    return WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=timeout, logger=silent)


def _unreachable(error: BaseException) -> str:
    reason = getattr(error, "reason", error)
    text = getattr(reason, "strerror", None) or str(reason)
    return str(text).strip() or error.__class__.__name__


def check_slack(settings: Settings, client: WebClient | None = None) -> SlackResponse:
    """auth.test once: the answer (workspace, bot user, scopes header), or a StartupError that tells
    "cannot reach Slack" from "Slack rejected the token"."""
    client = client or quiet_client(settings)
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
        where = f"Slack at {settings.api_url}"
        if code in REJECTED:
            raise StartupError(f"{where} rejected SLACK_BOT_TOKEN ({code}); {README_APP}.") from None
        raise StartupError(f"{where} answered auth.test with an error ({code}).") from None
    except (URLError, OSError) as error:
        raise StartupError(f"cannot reach Slack at {settings.api_url} ({_unreachable(error)}).") from None
    except (SlackClientError, ValueError) as error:  # an answer that is not Slack's JSON
        raise StartupError(f"{settings.api_url} does not answer like Slack's Web API ({first_line(error)}).") from None
    return answer


def shown_url(url: str) -> str:
    """A database URL fit to print: without its password; a SQLite file as its absolute path."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return f"sqlite:///{Path(str(parsed.database)).resolve()}"
    return parsed.render_as_string(hide_password=True)


def sqlite_file_missing(url: str) -> bool:
    """Whether `url` names a SQLite file that does not exist yet (opening it would create it)."""
    parsed = make_url(url)
    return (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not Path(str(parsed.database)).exists()
    )

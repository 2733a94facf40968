"""Dibs's Web API clients: its base URL, slack_sdk's retry handlers, and auth.test asked of Slack once (Bolt asks
it when it builds the App, and Dibs needs the same answer for the workspace's id, its address (links to posts)
and the bot's own user id (reactions to ignore))."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import SlackResponse

from bot.settings import Settings


class AuthAnswers:
    """auth.test answers by token, shared by every client of one bot; only answers that succeeded are kept."""

    def __init__(self) -> None:
        self._answers: dict[str, SlackResponse] = {}
        self._lock = threading.Lock()

    def remember(self, token: str, answer: SlackResponse) -> None:
        """Keep `answer` as what auth.test says about `token`."""
        with self._lock:
            self._answers[token] = answer

    def known(self, token: str) -> SlackResponse | None:
        """What auth.test said about `token`, if it was asked."""
        with self._lock:
            return self._answers.get(token)


class RememberingClient(WebClient):
    """A Web API client whose auth.test goes to Slack once per token; later calls get the same answer."""

    def __init__(self, *args: Any, answers: AuthAnswers, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = answers

    def auth_test(self, **kwargs: Any) -> SlackResponse:
        """auth.test, asked of Slack the first time only (a failure is not remembered)."""
        token = str(kwargs.get("token") or self.token or "")
        answer = self.answers.known(token)
        if answer is None:
            answer = super().auth_test(**kwargs)
            self.answers.remember(token, answer)
        return answer


def default_retry_handlers() -> list[RetryHandler]:
    """slack_sdk's retries for lost connections, 429 (honouring Retry-After) and 5xx."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_client(
    settings: Settings,
    retry_handlers: Sequence[RetryHandler] | None = None,
    token: str | None = None,
    answers: AuthAnswers | None = None,
) -> WebClient:
    """A Web API client: Dibs's base URL, slack_sdk's retries, a token (default: `SLACK_BOT_TOKEN`), and
    auth.test asked once per token (per `answers`)."""
    handlers = default_retry_handlers() if retry_handlers is None else list(retry_handlers)
    return RememberingClient(
        token=token or settings.bot_token,
        base_url=settings.api_url,
        timeout=15,
        retry_handlers=handlers,
        answers=answers or AuthAnswers(),
    )

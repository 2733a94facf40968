"""auth.test, asked of Slack once: Bolt asks it when it builds the App, and Dibs needs the same answer for
the workspace's id, its address (links to posts) and the bot's own user id (reactions to ignore)."""

from __future__ import annotations

import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse


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

"""Each workspace's bot token, and Web API clients that carry it.

One workspace (`SLACK_BOT_TOKEN`): every workspace id maps to that token, as before. Many workspaces
(Slack's OAuth flow): a workspace's token is the newest bot that slack_sdk's installation store
holds for it, kept in memory so that a request or a courier call costs no database read. The
memory is dropped for a workspace when it uninstalls Dibs (here, or seen as gone by another
process's courier within a second) and after `TTL` in any case.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import Bot, InstallationStore

TTL = 600.0  # seconds a token is trusted without asking the store again


class Installs(Protocol):
    """Where workspaces' bot tokens come from."""

    many: bool

    def token(self, team_id: str) -> str | None:
        """The bot token for the workspace, or None when Dibs is not installed there."""
        ...

    def forget(self, team_id: str) -> None:
        """The workspace uninstalled Dibs or revoked its token: delete what is stored of its tokens."""
        ...

    def evict(self, team_ids: Iterable[str]) -> None:
        """Drop what this process remembers of these workspaces' tokens (another process saw them go)."""
        ...


class OneWorkspace:
    """`SLACK_BOT_TOKEN`: one token, whatever the workspace id; nothing to store or forget."""

    many = False

    def __init__(self, token: str | None = None) -> None:
        self._token = token

    def token(self, team_id: str) -> str | None:
        """The environment's bot token."""
        return self._token

    def forget(self, team_id: str) -> None:
        """Nothing to delete: the token lives in the environment (Slack has revoked it)."""

    def evict(self, team_ids: Iterable[str]) -> None:
        """Nothing is cached."""


class ManyWorkspaces:
    """Tokens from slack_sdk's installation store, remembered per workspace for `ttl` seconds."""

    many = True

    def __init__(self, store: InstallationStore, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._ttl = ttl
        self._clock = clock
        self._bots: dict[str, tuple[float, Bot]] = {}
        self._lock = threading.Lock()
        self.lookups = 0  # how often the store was asked (tests and the benchmark read it)

    def bot(self, team_id: str) -> Bot | None:
        """The workspace's newest bot installation (from memory when fresh), or None."""
        now = self._clock()
        with self._lock:
            cached = self._bots.get(team_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        self.lookups += 1
        found = self.store.find_bot(enterprise_id=None, team_id=team_id)
        with self._lock:
            if found is not None and found.bot_token:
                self._bots[team_id] = (now, found)
            else:  # not remembered: an install moments from now must be seen at once
                self._bots.pop(team_id, None)
        return found if found is not None and found.bot_token else None

    def token(self, team_id: str) -> str | None:
        """The workspace's bot token, or None when Dibs is not installed there."""
        bot = self.bot(team_id)
        return bot.bot_token if bot is not None else None

    def forget(self, team_id: str) -> None:
        """Delete the workspace's installations and bots (slack_sdk's `delete_all`) and forget its token."""
        self.evict([team_id])
        self.store.delete_all(enterprise_id=None, team_id=team_id)
        self.evict([team_id])  # a lookup racing the delete may have put it back

    def evict(self, team_ids: Iterable[str]) -> None:
        """Drop the remembered tokens of these workspaces."""
        with self._lock:
            for team_id in team_ids:
                self._bots.pop(team_id, None)


class Clients:
    """Web API clients per workspace, all on `SLACK_API_URL`: the courier's (which leaves 429s to the
    courier) and the background jobs' (which wait out a 429 in their own thread)."""

    def __init__(self, installs: Installs, make: Callable[[str | None, Sequence[RetryHandler]], WebClient],
                 handlers: Sequence[RetryHandler]) -> None:  # fmt: skip
        self.installs = installs
        self._make = make
        self._background = list(handlers)
        self._courier = [h for h in handlers if not isinstance(h, RateLimitErrorRetryHandler)]
        self._clients: dict[tuple[str, str | None], WebClient] = {}
        self._lock = threading.Lock()

    def _client(self, kind: str, token: str | None) -> WebClient:
        with self._lock:
            client = self._clients.get((kind, token))
            if client is None:
                handlers = self._courier if kind == "courier" else self._background
                client = self._clients[(kind, token)] = self._make(token, handlers)
            return client

    def courier(self, team_id: str) -> WebClient | None:
        """The courier's client for the workspace (None: Dibs has no token there)."""
        token = self.installs.token(team_id)
        return self._client("courier", token) if token else None

    def background(self, team_id: str) -> WebClient | None:
        """A background job's client for the workspace (None: Dibs has no token there)."""
        token = self.installs.token(team_id)
        return self._client("background", token) if token else None

"""GET /readyz: whether this process can do its work now, or the one-line reason it cannot.

Ready means: the database answers and its schema is at the newest migration, Slack accepted the token at start,
and in Socket Mode the connection to Slack is open. The database is asked at most once a second, however often a
load balancer or a scraper asks. /healthz (liveness: the process and its database answer) is separate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.checks import first_line
from store.db import HEAD, schema_revision

TTL = 1.0  # seconds a database check is reused


class Readiness:
    """The checks behind /readyz; `reason()` is None when every one holds."""

    def __init__(
        self, engine: Engine, *, token_accepted: bool = True, connected: Callable[[], bool] | None = None,
        ttl: float = TTL,
    ) -> None:  # fmt: skip
        self.engine = engine
        self.token_accepted = token_accepted  # `dibs serve` checked the token with Slack before it started
        self.connected = connected  # Socket Mode: whether the connection to Slack is open
        self.ttl = ttl
        self._lock = threading.Lock()
        self._checked: tuple[float, str | None] | None = None

    def database(self) -> str | None:
        """Why the database is not ready (it does not answer, or its schema is behind), or None."""
        try:
            revision = schema_revision(self.engine)
        except SQLAlchemyError as error:
            return f"database: does not answer ({first_line(error)})"
        except Exception as error:  # a driver's own error, a closed pool
            return f"database: does not answer ({type(error).__name__})"
        if revision != HEAD:
            return f"database: schema at {revision or 'none'}, expected {HEAD}"
        return None

    def _database_cached(self) -> str | None:
        with self._lock:
            now = time.monotonic()
            if self._checked is None or now - self._checked[0] >= self.ttl:
                self._checked = (now, self.database())
            return self._checked[1]

    def reason(self) -> str | None:
        """The first check that fails, in one line; None when Dibs is ready."""
        if not self.token_accepted:
            return "slack: the token was not accepted at start"
        if self.connected is not None and not self.connected():
            return "slack: the Socket Mode connection is not open"
        return self._database_cached()

"""What a failed Web API call means: try again later (when), or never (give up, and say so once).

`Failure` and `failure_of` live in `bot.slack.failures` (the domain reads Slack too); they are re-exported here.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.slack.failures import TRANSIENT as TRANSIENT
from bot.slack.failures import WORKSPACE_GONE as WORKSPACE_GONE
from bot.slack.failures import Failure as Failure
from bot.slack.failures import failure_of as failure_of

MAX_BACKOFF = timedelta(seconds=30)


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

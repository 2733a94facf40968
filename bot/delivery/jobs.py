"""Work for the courier, and the doorbell a commit rings to hand it over in memory.

A transaction notes each outbox row it makes on its session; after the commit `Services.transaction`
hands them to the courier directly, so the courier need not look for them in the database. It still
sweeps the database every second for work other processes queued, retries whose time has come, and
what a crash left behind.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from sqlalchemy.orm import Session

NOTED = "dibs_jobs"


@dataclass(frozen=True)
class Job:
    """One outbox row to send, and the conversation it goes to."""

    id: int
    team_id: str
    key: str  # the channel (or user, for DMs and views) the call goes to


def note(session: Session, job: Job) -> None:
    """Remember, on this transaction's session, a job it makes."""
    session.info.setdefault(NOTED, {})[job.id] = job


def noted(session: Session) -> list[Job]:
    """The jobs a transaction made (taken off its session)."""
    return list(session.info.pop(NOTED, {}).values())


class Doorbell:
    """Rung after a commit: wakes the courier and, while it listens, hands it the commit's jobs."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._jobs: deque[Job] = deque()
        self._lock = threading.Lock()
        self.listening = False  # only a running courier takes jobs; tests deliver from the database

    def ring(self, jobs: list[Job] | None = None) -> None:
        """Wake the courier; with `jobs`, give them to it (an empty ring asks it to look in the database)."""
        with self._lock:
            if self.listening and jobs:
                self._jobs.extend(jobs)
        self._event.set()

    def wait(self, timeout: float) -> bool:
        """Wait for a ring; True if there was one."""
        return self._event.wait(timeout)

    def take(self) -> list[Job] | None:
        """Clear the bell and take the jobs handed over since; None if it rang without any."""
        with self._lock:
            self._event.clear()
            jobs = list(self._jobs)
            self._jobs.clear()
        return jobs or None

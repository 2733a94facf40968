"""Time, in one place: services and the scheduler ask a `Clock` instead of reading the time themselves.

Tests pass a clock whose `sleep` returns at once, so pacing and waits cost no real time.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Protocol

from store.models import utcnow

__all__ = ["Clock", "OffsetClock", "SystemClock", "utcnow"]


class Clock(Protocol):
    """Where Dibs gets the time from, and how it waits."""

    def now(self) -> datetime:
        """The current moment, timezone-aware in UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...


class SystemClock:
    """The real clock (freezegun still moves it in tests)."""

    def now(self) -> datetime:
        """The current moment, timezone-aware in UTC."""
        return utcnow()

    def sleep(self, seconds: float) -> None:
        """Really wait."""
        time.sleep(seconds)


class OffsetClock:
    """Real time moved on by an offset that only grows: `dibs demo`'s +1 h and +1 day.

    Everything that asks it (transactions, the scheduler's tick, the courier's leases) sees the same
    moved-on time, so a reminder due in two hours is due after `advance(timedelta(hours=2))`.
    """

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    @property
    def offset(self) -> timedelta:
        """How far ahead of real time this clock is."""
        with self._lock:
            return self._offset

    def advance(self, by: timedelta) -> datetime:
        """Move the clock on by `by` (never back); returns the new now."""
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += by
        return self.now()

    def now(self) -> datetime:
        """Real time plus the offset, timezone-aware in UTC."""
        return utcnow() + self.offset

    def sleep(self, seconds: float) -> None:
        """Really wait (moving the clock is `advance`'s job)."""
        time.sleep(seconds)

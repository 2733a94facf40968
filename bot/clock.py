"""Time, in one place: services and the scheduler ask a `Clock` instead of reading the time themselves.

Tests pass a clock whose `sleep` returns at once, so pacing and waits cost no real time.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Protocol

from store.models import utcnow

__all__ = ["Clock", "SystemClock", "utcnow"]


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

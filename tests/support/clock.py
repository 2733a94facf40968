"""A clock for tests: real time, but sleeping moves it on instead of waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import utcnow


class SkippingClock:
    """Real time plus whatever was slept: waits cost nothing, yet what follows a wait sees time moved on."""

    def __init__(self) -> None:
        self.skipped = timedelta(0)
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return utcnow() + self.skipped

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.skipped += timedelta(seconds=max(seconds, 0))

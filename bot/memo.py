"""What the hot paths read again and again (a workspace's own settings, a kind's route, a watched channel, who
looks at their Home tab): kept in memory a moment, per bot. A change this process makes forgets the value at
once; one another process makes is seen within `ttl` seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
TTL = 2.0  # seconds


class Memo:
    """Values by key, each kept `ttl` seconds after it was read."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T], keep: Callable[[T], bool] = lambda value: True) -> T:
        """The value kept for `key`, or `load()` (kept when `keep` says so)."""
        now = time.monotonic()
        with self._lock:
            found = self._values.get(key)
        if found is not None and now - found[0] < self.ttl:
            return found[1]
        value = load()
        if keep(value):
            with self._lock:
                self._values[key] = (now, value)
        return value

    def forget(self, key: Hashable) -> None:
        """This process changed what `key` stands for: read it again next time."""
        with self._lock:
            self._values.pop(key, None)

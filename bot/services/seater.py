"""The seater: a thread that seats the claims kept while another claim on the same task was being seated
(`replies.claim`), as soon as their transaction commits, and every second what another process kept (or one
that stopped before seating it)."""

from __future__ import annotations

import logging
import threading

from bot.services import Services
from bot.services.replies import seat_queued

log = logging.getLogger(__name__)


class Seater:
    """Seats queued claims in the background (`start`, `stop`)."""

    def __init__(self, svc: Services, poll: float = 1.0) -> None:
        self.svc, self.poll = svc, poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Seat queued claims from now on."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="dibs-seater", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the turn in progress."""
        self._stop.set()
        self.svc.claims_queued.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.svc.claims_queued.wait(self.poll)
            self.svc.claims_queued.clear()
            if self._stop.is_set():
                return
            try:
                seat_queued(self.svc)
            except Exception:
                log.exception("could not seat the queued claims; trying again shortly")

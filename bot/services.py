"""`Services`: what every listener and job needs, built once by `create_app` and passed down.

Listeners get it by name from Bolt's context (`def handle_claim_clicked(ack, body, services)`);
scheduled jobs and tests get it from the `Dibs` object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.settings import Settings


@dataclass(frozen=True)
class Services:
    """The database's session factory, the settings and the clock."""

    db: sessionmaker[Session]
    settings: Settings
    clock: Clock

    def now(self) -> datetime:
        """The current moment by this bot's clock."""
        return self.clock.now()

"""Who is in which conversation, as Slack says (users.conversations), kept a while per person."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.delivery.failures import failure_of

log = logging.getLogger(__name__)
MEMBERSHIP_TTL = 600.0  # seconds: who is in which channel changes slowly


class Memberships:
    """The conversations each person is in (users.conversations), kept ten minutes per person."""

    def __init__(self, ttl: float = MEMBERSHIP_TTL) -> None:
        self.ttl = ttl
        self._seen: dict[tuple[str, str], tuple[float, frozenset[str] | None]] = {}
        self._lock = threading.Lock()

    def of(self, client: WebClient, team_id: str, user_id: str) -> frozenset[str] | None:
        """The person's channels; None when Slack will not say (then the tab shows every watched channel).

        A 429 or an outage raises, so the tab is published later with the right list.
        """
        with self._lock:
            seen = self._seen.get((team_id, user_id))
        if seen is not None and time.monotonic() - seen[0] < self.ttl:
            return seen[1]
        channels: set[str] | None = set()
        try:
            for page in client.users_conversations(
                user=user_id, types="public_channel,private_channel", exclude_archived=True, limit=999
            ):
                assert channels is not None
                channels |= {str(c["id"]) for c in page.get("channels") or []}
        except SlackApiError as error:
            failure = failure_of(error)
            if not failure.permanent:
                raise
            log.warning("could not read the channels of %s in %s (%s); their Home tab lists every watched "
                        "channel", user_id, team_id, failure.error)  # fmt: skip
            channels = None
        found = frozenset(channels) if channels is not None else None
        with self._lock:
            self._seen[(team_id, user_id)] = (time.monotonic(), found)
        return found

    def known(self, team_id: str, user_id: str) -> frozenset[str] | None:
        """The person's channels as last read (however long ago: what their Home tab was drawn with), or None."""
        with self._lock:
            seen = self._seen.get((team_id, user_id))
        return seen[1] if seen is not None else None

    def forget(self, team_id: str, user_id: str) -> None:
        """Read the person's channels again next time (they joined or left one)."""
        with self._lock:
            self._seen.pop((team_id, user_id), None)

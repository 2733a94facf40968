"""Links to posts: built from the workspace's address, asked of Slack once per workspace (auth.test),
instead of one chat.getPermalink call per task."""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

log = logging.getLogger(__name__)


class Permalinks:
    """Knows each workspace's address (`https://acme.slack.com/`) once it has asked for it."""

    def __init__(self) -> None:
        self._archives: dict[str, str] = {}
        self._lock = threading.Lock()

    def of(self, client: WebClient, team_id: str, channel_id: str, ts: str) -> str | None:
        """The link to the message `ts` in `channel_id`, as Slack writes permalinks; None if unknown."""
        with self._lock:
            archives = self._archives.get(team_id)
        if archives is None:
            try:
                url = str(client.auth_test().get("url") or "")
            except (SlackClientError, OSError) as error:
                log.info("could not ask Slack for the workspace's address: %s", error)
                return None
            if not url.startswith("https://"):
                return None
            archives = f"{url.rstrip('/')}/archives/"
            with self._lock:
                self._archives[team_id] = archives
        return f"{archives}{channel_id}/p{ts.replace('.', '')}"

"""Who may change what Dibs watches: everyone in the channel, or only the members of `admins:`.

The members of the admin user group are kept in memory per workspace: read from Slack in the
background (at start, every ten minutes, and whenever Slack says the group changed), never on a
request thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

log = logging.getLogger(__name__)


class AdminGroup:
    """The `admins:` user group's members, per workspace, as last heard from Slack."""

    def __init__(self, group: str | None) -> None:
        self.group = group
        self._members: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def allows(self, team_id: str, user_id: str) -> bool | None:
        """Whether `user_id` may change what Dibs watches; None while the members are not known yet."""
        if self.group is None:
            return True
        with self._lock:
            members = self._members.get(team_id)
        return None if members is None else user_id in members

    def set_members(self, team_id: str, users: Iterable[str]) -> None:
        """The group's members in a workspace are now exactly `users`."""
        with self._lock:
            self._members[team_id] = frozenset(users)

    def change(self, team_id: str, added: Iterable[str], removed: Iterable[str]) -> None:
        """Slack said people joined or left the group (`subteam_members_changed`)."""
        with self._lock:
            if team_id in self._members:
                self._members[team_id] = (self._members[team_id] | set(added)) - set(removed)

    def refresh(self, client: WebClient, team_id: str) -> None:
        """Ask Slack who is in the group now (usergroups.users.list)."""
        if self.group is None:
            return
        try:
            answer = client.usergroups_users_list(usergroup=self.group)
        except (SlackClientError, OSError) as error:
            log.warning("could not read the members of the admins group %s: %s", self.group, error)
            return
        self.set_members(team_id, [str(u) for u in answer.get("users") or []])

"""Watched channels: where posts become tasks, and where reminders may be paused.

Who may change them: anyone in the channel, or only the members of the `admins:` user group
when the settings name one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.tasks.changes import ChannelWatched
from bot.tasks.errors import NotAllowed
from store.queries import channels as queries

if TYPE_CHECKING:
    from bot.services import Services


def check_admin(svc: Services, team_id: str, user_id: str) -> None:
    """Refuse, in one sentence, someone outside the `admins:` group (when there is one)."""
    allowed = svc.admins.allows(team_id, user_id)
    if allowed is None:
        svc.admins_wanted(team_id)
        raise NotAllowed("I am still reading who is in this workspace's Dibs admins group; try again in a minute.")
    if not allowed:
        raise NotAllowed(
            f"Only members of <!subteam^{svc.admins.group}> can change what Dibs watches, where it reminds"
            " and its settings."
        )


def watch_channel(
    svc: Services, team_id: str, channel_id: str, user_id: str, response_url: str | None, private: bool
) -> bool:
    """Start watching a channel and join it (public channels); False if it was already watched."""
    check_admin(svc, team_id, user_id)
    with svc.transaction() as tx:
        added = queries.add_watched(tx.session, team_id, channel_id, user_id, tx.now, private=private)
        tx.forget(("watched", team_id, channel_id))
        if not private:  # Dibs cannot join a private channel by itself: it has to be invited
            tx.changed(ChannelWatched(team_id, channel_id, user_id, response_url))
    return added


def unwatch_channel(svc: Services, team_id: str, channel_id: str, user_id: str) -> bool:
    """Stop watching a channel; False if it was not watched. Its tasks stay as they are."""
    check_admin(svc, team_id, user_id)
    with svc.transaction() as tx:
        tx.forget(("watched", team_id, channel_id))
        return queries.remove_watched(tx.session, team_id, channel_id)


def set_muted(svc: Services, team_id: str, channel_id: str, user_id: str, muted: bool) -> bool:
    """Pause or resume reminders in a watched channel; False if the channel is not watched."""
    check_admin(svc, team_id, user_id)
    with svc.transaction() as tx:
        watched = queries.watched(tx.session, team_id, channel_id)
        if watched is None:
            return False
        watched.muted = muted
        return True


def set_archived(svc: Services, team_id: str, channel_id: str, archived: bool) -> None:
    """Slack archived (or unarchived) a watched channel: no reminders or digests while it is archived."""
    with svc.transaction() as tx:
        watched = queries.watched(tx.session, team_id, channel_id)
        if watched is not None:
            watched.archived = archived


def forget_old_events(svc: Services, older_than: timedelta = timedelta(days=2)) -> int:
    """Drop event ids past Slack's retry window (its last retry comes within minutes)."""
    with svc.transaction() as tx:
        return queries.forget_events_before(tx.session, tx.now - older_than)

"""Posts made while Dibs was down: Slack gives up retrying an event after a few minutes, so at start
(and every so often) Dibs reads each watched channel's history since the newest post it knows.

Runs in a background job, never on a request thread. Slack's answers set the pace: a 429 is
waited out for its Retry-After by slack_sdk's handler, in this job's thread only (apps outside
the Marketplace may get one `conversations.history` call a minute).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.intake.posts import kind_of_post, open_task_for_post
from bot.slack.jobs import per_workspace
from store.models import WatchedChannel
from store.queries.channels import all_watched, set_caught_up
from store.queries.tasks import newest_post_ts

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
# How far back a catch-up reads at most: older posts' follow-ups are best raised by a person.
MAX_AGE = timedelta(days=7)
PAGE = 200


def _start_ts(svc: Services, row: WatchedChannel, now: datetime) -> str:
    """Where to start reading: the newest of what Dibs has seen, when it began watching, a week ago."""
    with svc.read() as session:
        newest = newest_post_ts(session, row.team_id, row.channel_id)
    stamps = [row.caught_up_to, newest, f"{row.added_at.timestamp():.6f}", f"{(now - MAX_AGE).timestamp():.6f}"]
    return max((s for s in stamps if s), key=float)


def _history(client: WebClient, channel_id: str, oldest: str) -> list[dict[str, Any]]:
    """Every top-level message after `oldest`, oldest first."""
    messages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = client.conversations_history(channel=channel_id, oldest=oldest, limit=PAGE, cursor=cursor)
        messages += page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return sorted(messages, key=lambda m: float(m["ts"]))


def catch_up_channel(client: WebClient, svc: Services, row: WatchedChannel) -> int:
    """Read one channel's missed posts; returns how many became tasks."""
    messages = _history(client, row.channel_id, _start_ts(svc, row, svc.now()))
    made = 0
    for message in messages:
        event = {**message, "channel": row.channel_id}
        kind = kind_of_post(svc, event, row.team_id)
        if kind is None:
            continue
        with svc.transaction() as tx:
            made += open_task_for_post(tx, row.team_id, event, kind) is not None
    if messages:
        with svc.transaction() as tx:
            set_caught_up(tx.session, row.team_id, row.channel_id, str(messages[-1]["ts"]))
    if made:
        log.info("caught up on <#%s>: %s post(s) made while Dibs was away are tasks now", row.channel_id, made)
    return made


def catch_up(client_for: Callable[[str], WebClient | None], svc: Services) -> int:
    """Read every watched channel's missed posts, each workspace with its own token and in its own
    thread (a 429 in one holds up no other); returns how many became tasks."""
    with svc.read() as session:
        channels = all_watched(session)

    def one_workspace(team_id: str, rows: list[WatchedChannel]) -> int:
        client = client_for(team_id)
        if client is None:
            return 0  # Dibs is not installed there (any more)
        made = 0
        for row in rows:
            try:
                made += catch_up_channel(client, svc, row)
            except (SlackApiError, SlackClientError, OSError) as error:
                log.warning("could not read the history of %s to catch up: %s", row.channel_id, error)
        return made

    return per_workspace(channels, lambda row: row.team_id, one_workspace)

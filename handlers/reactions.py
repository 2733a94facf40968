"""Reactions on a task's post or on Dibs's reply: claim, release, done."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.delivery.notify import publish, tell_privately
from bot.services import Services
from bot.tasks import replies
from bot.tasks.errors import DibsError, NeedsLink
from bot.tasks.service import find_task_id_by_ts
from store.enums import Via

log = logging.getLogger(__name__)


def _emoji(name: str) -> str:
    # Skin tones arrive as "raising_hand::skin-tone-3"; they are the same claim.
    return name.split("::", 1)[0]


def _act(
    services: Services, emoji: str, added: bool, team_id: str, task_id: int, user_id: str
) -> replies.Outcome | None:
    if emoji == services.settings.claim_reaction:
        action = replies.claim if added else replies.release
        return action(services, team_id, task_id, user_id, Via.REACTION)
    if added:
        return replies.finish(services, team_id, task_id, user_id, Via.REACTION, link=None)
    return None  # taking back a done reaction does not reopen a task


def handle_reaction(event: dict[str, Any], body: dict[str, Any], client: WebClient, services: Services) -> None:
    """The claim emoji takes (or, removed, releases) a task; the done emoji finishes it."""
    settings = services.settings
    item = event.get("item") or {}
    emoji, added = _emoji(str(event.get("reaction", ""))), event.get("type") == "reaction_added"
    if item.get("type") != "message" or emoji not in (settings.claim_reaction, settings.done_reaction):
        return
    team_id, channel_id, user_id = str(body.get("team_id") or ""), str(item.get("channel")), str(event.get("user"))
    task_id = find_task_id_by_ts(services, team_id, channel_id, str(item.get("ts")))
    if task_id is None:
        return
    try:
        outcome = _act(services, emoji, added, team_id, task_id, user_id)
    except NeedsLink as error:
        tell_privately(client, channel_id, user_id, str(error), thread_ts=str(item.get("ts")))
        return
    except DibsError as error:
        # Reactions are often just reactions: stay quiet rather than scold.
        log.info("reaction by %s on #%s did nothing: %s", user_id, task_id, error)
        return
    if outcome is None:
        return
    if not outcome.quiet and outcome.reply:
        tell_privately(client, channel_id, user_id, outcome.reply)
    publish(client, services, outcome)


def register(app: App) -> None:
    """Listen for reactions added and removed."""
    app.event("reaction_added")(handle_reaction)
    app.event("reaction_removed")(handle_reaction)

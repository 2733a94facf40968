"""Reactions on a task's post or on Dibs's reply: claim, release, done."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import flows
from bot.tasks import DibsError, NeedsLink, find_task_id_by_ts

if TYPE_CHECKING:
    from bot.app import Dibs

log = logging.getLogger(__name__)


def _emoji(name: str) -> str:
    # Skin tones arrive as "raising_hand::skin-tone-3"; they are the same claim.
    return name.split("::", 1)[0]


def register(app: App, dibs: Dibs) -> None:
    settings = dibs.settings

    def handle_reaction(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        item = event.get("item") or {}
        emoji, added = _emoji(str(event.get("reaction", ""))), event.get("type") == "reaction_added"
        if item.get("type") != "message" or emoji not in (settings.claim_reaction, settings.done_reaction):
            return
        team_id, channel_id, user_id = (
            str(body.get("team_id") or ""),
            str(item.get("channel")),
            str(event.get("user")),
        )
        task_id = find_task_id_by_ts(dibs.db, team_id, channel_id, str(item.get("ts")))
        if task_id is None:
            return
        try:
            if emoji == settings.claim_reaction:
                action = flows.claim if added else flows.release
                outcome = action(dibs.db, team_id, task_id, user_id, "reaction", settings)
            elif added:
                outcome = flows.finish(dibs.db, settings, team_id, task_id, user_id, "reaction", link=None)
            else:
                return  # taking back a done reaction does not reopen a task
        except NeedsLink as error:
            flows.tell_privately(client, channel_id, user_id, str(error), thread_ts=str(item.get("ts")))
            return
        except DibsError as error:
            # Reactions are often just reactions: stay quiet rather than scold.
            log.info("reaction by %s on #%s did nothing: %s", user_id, task_id, error)
            return
        if not outcome.quiet and outcome.reply:
            flows.tell_privately(client, channel_id, user_id, outcome.reply)
        flows.publish(client, dibs.db, settings, outcome)

    app.event("reaction_added")(handle_reaction)
    app.event("reaction_removed")(handle_reaction)

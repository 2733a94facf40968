"""Message events: a marketing post in a watched channel becomes a task with an ownership thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.flows import publish, task_from_post

if TYPE_CHECKING:
    from bot.app import Dibs


def register(app: App, dibs: Dibs) -> None:
    def handle_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        outcome = task_from_post(dibs.db, dibs.settings, str(body.get("team_id") or ""), event)
        if outcome is not None:
            publish(client, dibs.db, dibs.settings, outcome)

    # One listener for every message subtype: edits, joins and bot posts are parsed and ignored
    # here rather than logged by Bolt as unhandled.
    app.event("message")(handle_message)

"""Message events: a marketing post in a watched channel becomes a task with an ownership thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.delivery.notify import publish
from bot.intake.posts import task_from_post
from bot.services import Services


def handle_message(event: dict[str, Any], body: dict[str, Any], client: WebClient, services: Services) -> None:
    """A post in a channel: maybe a new task; edits, joins, replies and bot posts stay quiet."""
    outcome = task_from_post(services, str(body.get("team_id") or ""), event)
    if outcome is not None:
        publish(client, services, outcome)


def register(app: App) -> None:
    """One listener for every message subtype: edits, joins and bot posts are parsed and ignored
    here rather than logged by Bolt as unhandled."""
    app.event("message")(handle_message)

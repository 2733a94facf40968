"""Message events: a marketing post in a watched channel becomes a task with an ownership thread.

Chatter is answered without touching the database; a matching post is recorded (task, question
to ask, event id) in one transaction before Bolt sends Slack its 200. The question follows.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.intake.posts import task_from_post
from bot.services import Services


def handle_message(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """A post in a channel: maybe a new task; edits, joins, replies and bot posts stay quiet."""
    task_from_post(services, str(body.get("team_id") or ""), event)


def register(app: App) -> None:
    """One listener for every message subtype: edits, joins and bot posts are parsed and ignored
    here rather than logged by Bolt as unhandled."""
    app.event("message")(handle_message)

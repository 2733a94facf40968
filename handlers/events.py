"""Message events: a marketing post in a watched channel becomes a task with an ownership thread.

Chatter is answered without touching the database; a matching post is recorded (task, question
to ask, event id) in one transaction before Bolt sends Slack its 200. The question follows.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.gifts.service import import_shared_file
from bot.intake.posts import cancel_for_deleted_post, task_from_post
from bot.services import Services


def handle_message(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """A post in a channel: maybe a new task; a deleted post cancels its task; edits, joins, replies and
    bot posts stay quiet."""
    team_id = str(body.get("team_id") or "")
    deleted = deleted_ts(event)
    if deleted is not None:
        cancel_for_deleted_post(services, team_id, str(event.get("channel") or ""), deleted)
    elif event.get("subtype") == "file_share" and event.get("thread_ts") not in (None, event.get("ts")):
        import_shared_file(services, team_id, event)
    else:
        task_from_post(services, team_id, event)


def deleted_ts(event: dict[str, Any]) -> str | None:
    """The ts of the post this event says was deleted (a post with replies leaves a tombstone), or None."""
    if event.get("subtype") == "message_deleted":
        return str(event.get("deleted_ts") or "") or None
    message = event.get("message")
    if (
        event.get("subtype") == "message_changed"
        and isinstance(message, dict)
        and message.get("subtype") == "tombstone"
    ):
        return str(message.get("ts") or "") or None
    return None


def register(app: App) -> None:
    """One listener for every message subtype: edits, joins and bot posts are parsed and ignored
    here rather than logged by Bolt as unhandled."""
    app.event("message")(handle_message)

"""People changing in Slack: a `user_change` event (a new status, time zone…) updates who is away at once."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.services import Services
from bot.services.people import user_changed


def handle_user_change(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """A person's profile changed: their status and time zone as the event says, no call to Slack."""
    user = event.get("user")
    if isinstance(user, dict):
        user_changed(services, str(body.get("team_id") or user.get("team_id") or ""), user)


def register(app: App) -> None:
    """Listen for people's profile changes."""
    app.event("user_change")(handle_user_change)

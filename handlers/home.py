"""The App Home tab: opening it publishes it (drawn after the ack, by the courier)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.services import Services
from bot.services.home import open_home


def handle_app_home_opened(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """Remember who opened the Home tab and queue it for them (views.publish goes out after the ack)."""
    if event.get("tab") != "home":
        return
    open_home(services, str(body.get("team_id") or ""), str(event["user"]))


def register(app: App) -> None:
    """Listen for the Home tab being opened."""
    app.event("app_home_opened")(handle_app_home_opened)

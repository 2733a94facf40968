"""The App Home tab: the person's own tasks and what is unclaimed."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.reminders.policy import local_day
from bot.services import Services
from bot.tasks.service import list_tasks
from bot.tasks.views import build_home

HOME_ROWS = 20


def handle_app_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Publish the Home tab for the person who opened it."""
    if event.get("tab") != "home":
        return
    team_id, user_id = str(body.get("team_id") or ""), str(event["user"])
    mine, _ = list_tasks(services, team_id, "mine", user_id, limit=HOME_ROWS)
    unclaimed, total = list_tasks(services, team_id, "unclaimed", user_id, limit=HOME_ROWS)
    now = services.now()
    view = build_home(mine, unclaimed, total, now, local_day(now, services.settings))
    client.views_publish(user_id=user_id, view=view)


def register(app: App) -> None:
    """Listen for the Home tab being opened."""
    app.event("app_home_opened")(handle_app_home_opened)

"""The App Home tab: the person's own tasks and what is unclaimed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.policy import local_day
from bot.tasks import list_tasks
from bot.views import build_home
from store.models import utcnow

if TYPE_CHECKING:
    from bot.app import Dibs


def register(app: App, dibs: Dibs) -> None:
    def handle_app_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        team_id, user_id = str(body.get("team_id") or ""), str(event["user"])
        mine, _ = list_tasks(dibs.db, team_id, "mine", user_id, limit=20)
        unclaimed, total = list_tasks(dibs.db, team_id, "unclaimed", user_id, limit=20)
        today = local_day(utcnow(), dibs.settings)
        client.views_publish(user_id=user_id, view=build_home(mine, unclaimed, total, today))

    app.event("app_home_opened")(handle_app_home_opened)

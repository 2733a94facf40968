"""The App Home tab: the person's own tasks and what is unclaimed."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.delivery.outbox import queue_call
from bot.reminders.policy import local_day
from bot.services import Services
from bot.tasks.service import list_tasks
from bot.tasks.views import build_home
from store.enums import Purpose

HOME_ROWS = 20


def handle_app_home_opened(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """Queue the Home tab for the person who opened it (views.publish goes out after the ack)."""
    if event.get("tab") != "home":
        return
    team_id, user_id = str(body.get("team_id") or ""), str(event["user"])
    with services.read() as session:
        mine, _ = list_tasks(session, team_id, "mine", user_id, limit=HOME_ROWS)
        unclaimed, total = list_tasks(session, team_id, "unclaimed", user_id, limit=HOME_ROWS)
        here = services.settings_for(team_id, session)
    now = services.now()
    view = build_home(mine, unclaimed, total, now, local_day(now, here))
    with services.transaction() as tx:
        queue_call(
            tx, team_id=team_id, channel_id=user_id, recipient=user_id, purpose=Purpose.HOME,
            method="views.publish", args={"user_id": user_id, "view": view.to_dict()},
        )  # fmt: skip


def register(app: App) -> None:
    """Listen for the Home tab being opened."""
    app.event("app_home_opened")(handle_app_home_opened)

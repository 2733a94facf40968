"""The "Track with Dibs" message shortcut: the form that makes any message a task, and its answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.services.track import start_tracking, track
from bot.slack.ids import BlockId, CallbackId
from bot.slack.payloads import clean_text
from bot.tasks.errors import DibsError


def handle_track_shortcut(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Track with Dibs" on a message: the form to make it a task."""
    start_tracking(services, body)
    ack()


def handle_track_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services) -> None:
    """The Track with Dibs form: the task, or why not, shown in the form."""
    values = view["state"]["values"]
    kind = ((values.get(BlockId.KIND) or {}).get("kind") or {}).get("selected_option") or {}
    title = clean_text(((values.get(BlockId.TITLE) or {}).get("title") or {}).get("value") or "")
    due = ((values.get(BlockId.DUE) or {}).get("due") or {}).get("selected_date")
    try:
        track(services, body["team"]["id"], body["user"]["id"], view.get("private_metadata") or "",
              str(kind.get("value") or ""), title, due)  # fmt: skip
    except (DibsError, ValueError) as error:
        ack(response_action="errors", errors={BlockId.TITLE: str(error)[:150]})
        return
    ack()


def register(app: App) -> None:
    """Listen for the shortcut and its form."""
    app.shortcut(CallbackId.TRACK)(handle_track_shortcut)
    app.view(CallbackId.TRACK)(handle_track_submitted)

"""What a click's payload says: who clicked, where (a thread, a DM, the Home tab) and which task or id its
button carries. A button whose value is not an id gets a sentence, never a crash."""

from __future__ import annotations

import logging
from typing import Any

from bot.delivery.outbox import ReplyTo
from bot.tasks.errors import DibsError

log = logging.getLogger(__name__)


def task_id(body: dict[str, Any]) -> int:
    """The task a button is about: its value, or the part before `:` (`12:staff`)."""
    value = button_value(body).partition(":")[0]
    if not value.isdigit() or len(value) > 9:
        log.warning("a button without a task id: %r", value[:40])
        raise DibsError("That button no longer works; `/dibs list` shows the tasks and their ids.")
    return int(value)


def reply_to(body: dict[str, Any]) -> ReplyTo:
    """Where the person who clicked gets their answer: the channel (or DM) and thread of the click."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    return ReplyTo(body["team"]["id"], channel, body["user"]["id"], container.get("thread_ts"))


def on_home(body: dict[str, Any]) -> bool:
    """The click came from the Home tab (its answer goes on the tab, not in a channel)."""
    return (body.get("container") or {}).get("type") == "view" and (body.get("view") or {}).get("type") == "home"


def in_dm(body: dict[str, Any]) -> bool:
    """The click came from a direct message Dibs sent (its conversation id starts with D)."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    return container.get("type") == "message" and str(channel).startswith("D")


def button_value(body: dict[str, Any]) -> str:
    """The value the clicked button carries ("" for none)."""
    return _first_action(body, "value")


def action_id(body: dict[str, Any]) -> str:
    """The action id of the clicked button ("" for none)."""
    return _first_action(body, "action_id")


def _first_action(body: dict[str, Any], field: str) -> str:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return str(first.get(field) or "") if isinstance(first, dict) else ""


def number(body: dict[str, Any]) -> int:
    """The id a button carries (a swap's, an Undo's)."""
    value = button_value(body)
    if not value.isdigit() or len(value) > 9:
        log.warning("a button without an id: %r", value[:40])
        raise DibsError("That button no longer works; `/dibs list` shows the tasks and their ids.")
    return int(value)

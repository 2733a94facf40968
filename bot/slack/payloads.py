"""What a Slack payload must look like before Dibs acts on it: ids of Slack's shape, no missing
user on a reaction, text without NUL bytes. Pure functions; the middleware in handlers/ uses them."""

from __future__ import annotations

import re
from typing import Any

_ID = re.compile(r"[A-Z0-9][A-Z0-9_-]{1,31}")  # T…, U…, W…, C…, G…, D…, B…, S…
_TS = re.compile(r"\d{1,12}\.\d{1,9}")


def clean_text(text: str) -> str:
    """Text as Dibs stores it: without NUL bytes (PostgreSQL refuses them) or other C0 control characters."""
    return "".join(ch for ch in text if ch >= " " or ch in "\n\t")


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _bad_ids(pairs: list[tuple[str, Any]], optional: tuple[str, ...] = ()) -> str | None:
    for name, value in pairs:
        if value is None and name in optional:
            continue
        if not isinstance(value, str) or not _ID.fullmatch(value):
            return f"{name} is not a Slack id"
    return None


def _bad_ts(name: str, value: Any) -> str | None:
    return None if isinstance(value, str) and _TS.fullmatch(value) else f"{name} is not a Slack timestamp"


def _event_problem(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "the event is not an object with a type"
    kind = event["type"]
    if kind in ("reaction_added", "reaction_removed"):
        item = _object(event.get("item"))
        return _bad_ids([("event.user", event.get("user")), ("item.channel", item.get("channel"))]) or _bad_ts(
            "item.ts", item.get("ts")
        )
    if kind == "message":
        problem = _bad_ids(
            [("event.channel", event.get("channel")), ("event.user", event.get("user"))], ("event.user",)
        )
        if problem or event.get("subtype") in ("message_deleted", "message_changed"):
            return problem
        if not isinstance(event.get("text", ""), str):
            return "event.text is not text"
        return _bad_ts("event.ts", event.get("ts"))
    if kind == "app_home_opened":
        return _bad_ids([("event.user", event.get("user"))])
    return None


_CONTEXT_KEYS = ("user", "channel", "team", "enterprise", "user_id", "channel_id", "team_id", "enterprise_id")


def _context_problem(body: dict[str, Any]) -> str | None:
    """Slack's ids where Bolt looks for them (the body, its event, the event's message) are text, or
    objects whose `id` is text: anything else would trip Bolt before a listener could refuse it."""
    event = _object(body.get("event"))
    for where, part in (("", body), ("event.", event), ("event.message.", _object(event.get("message"))),
                        ("event.previous_message.", _object(event.get("previous_message"))),
                        ("event.item.", _object(event.get("item")))):  # fmt: skip
        for key in _CONTEXT_KEYS:
            value = part.get(key)
            if value is None or isinstance(value, str):
                continue
            if not isinstance(value, dict) or not isinstance(value.get("id", ""), str):
                return f"{where}{key} is neither text nor an object with an id"
    return None


def payload_problem(body: dict[str, Any]) -> str | None:
    """Why a request body cannot be acted on (a sentence for the log), or None when it can."""
    context = _context_problem(body)
    if context is not None:
        return context
    if body.get("type") == "event_callback":
        return _bad_ids([("team_id", body.get("team_id"))]) or _event_problem(body)
    if "command" in body:
        return _bad_ids([("team_id", body.get("team_id")), ("channel_id", body.get("channel_id")),
                         ("user_id", body.get("user_id"))])  # fmt: skip
    if body.get("type") in ("block_actions", "view_submission", "message_action", "shortcut"):
        team, user = _object(body.get("team")), _object(body.get("user"))
        return _bad_ids([("team.id", team.get("id")), ("user.id", user.get("id"))])
    return None

"""What a Slack payload must look like before Dibs acts on it: ids of Slack's shape, no missing
user on a reaction, text without NUL bytes. Pure functions; the middleware in handlers/ uses them."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

_ID = re.compile(r"[A-Z0-9][A-Z0-9_-]{1,31}")  # T…, U…, W…, C…, G…, D…, B…, S…
_TS = re.compile(r"\d{1,12}\.\d{1,9}")
_CHANNEL = re.compile(r"[CDG][A-Z0-9]{2,20}")


# Bidirectional controls: an unclosed right-to-left override reverses the rest of Dibs's sentence.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width: kept inside words (emoji, scripts), never alone


def clean_text(text: str) -> str:
    """Text as Dibs stores it: without NUL bytes (PostgreSQL refuses them), other C0 control characters or
    bidirectional controls."""
    return "".join(ch for ch in text if (ch >= " " or ch in "\n\t") and ch not in _BIDI)


def blank(text: str) -> bool:
    """Nothing anyone would see: empty, spaces, control or zero-width characters only."""
    return all(ch.isspace() or ch in _INVISIBLE for ch in clean_text(text))


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
        if item.get("type") in ("file", "file_comment"):  # no channel: acknowledged, and ignored by the listener
            return _bad_ids([("event.user", event.get("user"))])
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


def is_ssl_check(body: str, content_type: str) -> bool:
    """Slack's check of the certificate (`ssl_check=1&token=…`, not signed): answered 200, as Bolt does."""
    if not content_type.startswith("application/x-www-form-urlencoded") or len(body) > 1000:
        return False
    return parse_qs(body).get("ssl_check") == ["1"]


def track_metadata(raw: str) -> dict[str, str] | None:
    """The Track with Dibs form's private_metadata (the message's channel and ts, whether the channel is private,
    phrases carried), or None when it is not what Dibs put there."""
    meta = _metadata(raw)
    if meta is None or not isinstance(meta.get("channel"), str) or not _CHANNEL.fullmatch(meta["channel"]):
        return None
    if not isinstance(meta.get("ts"), str) or not _TS.fullmatch(meta["ts"]):
        return None
    if any(not isinstance(meta.get(key, ""), str) for key in ("private", "phrases")):
        return None
    return meta


def proof_task(raw: str) -> int | None:
    """The task id in the proof-of-done form's private_metadata, or None when it has none."""
    task = (_metadata(raw) or {}).get("task")
    if isinstance(task, int) and not isinstance(task, bool) and 0 < task < 10**9:
        return task
    return int(task) if isinstance(task, str) and task.isdigit() and len(task) <= 9 else None


def _metadata(raw: str) -> dict[str, Any] | None:
    try:
        meta = json.loads(raw) if len(raw) <= 3000 else None
    except (ValueError, RecursionError):
        return None
    return meta if isinstance(meta, dict) else None


def request_team(body: dict[str, Any]) -> str:
    """The workspace a request says it comes from: a command's or event's `team_id`, a click's `team.id`."""
    team = body.get("team_id") if "command" in body or body.get("type") == "event_callback" else None
    if team is None:
        team = _object(body.get("team")).get("id") or _object(body.get("user")).get("team_id")
    return team if isinstance(team, str) else ""


def for_team(body: dict[str, Any], team_id: str) -> bool:
    """An event Slack sent for the app's installation in `team_id` (its `authorizations` name it, if it has any)."""
    given = body.get("authorizations")
    if not isinstance(given, list) or not given:
        return True
    return any(isinstance(a, dict) and a.get("team_id") == team_id for a in given)


def event_channel(body: dict[str, Any]) -> str | None:
    """The channel an event happened in (a message's, a reaction's item's), if it names one."""
    event = _object(body.get("event"))
    channel = event.get("channel") or _object(event.get("item")).get("channel")
    return channel if isinstance(channel, str) and _ID.fullmatch(channel) else None


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

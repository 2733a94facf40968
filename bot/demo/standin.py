"""A stand-in for Slack's Web API: the shared fake (bot/fakeslack) answers every call Dibs makes, from and into the
record, in a closed workspace (the demo's channels and people); each call goes into the page's Web API log.

What Dibs posts, updates, deletes, publishes and opens is in the `Record`, which is all the page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.demo.record import Record
from bot.demo.world import BOT_ID, BOT_TOKEN, BOT_USER, CHANNELS, PEOPLE, TEAM, TEAM_NAME, WORKSPACE_URL
from bot.fakeslack import Directory, WebAPI
from bot.slack.scopes import BOT_SCOPES

Answer = dict[str, Any]
IDENTITY = {"url": WORKSPACE_URL, "team": TEAM_NAME, "user": "dibs", "team_id": TEAM, "user_id": BOT_USER,
            "bot_id": BOT_ID, "is_enterprise_install": False}  # fmt: skip


def _summary(method: str, params: dict[str, Any], answer: Answer, gone: str | None) -> dict[str, Any]:
    where = params.get("channel") or params.get("user_id") or params.get("user") or ""
    view = params.get("view")
    text = str(params.get("text") or (view.get("type") if isinstance(view, dict) else "") or gone or "")
    return {"method": method, "where": str(where), "text": text[:140], "ok": bool(answer.get("ok")),
            "error": answer.get("error")}  # fmt: skip


class StandIn:
    """The Web API at `/api/<method>`: Slack's answers (`api`), from and into the record."""

    def __init__(self, record: Record, now: Callable[[], datetime]) -> None:
        directory = Directory(dict(CHANNELS), {p.id: p.name for p in PEOPLE})
        self.record = record
        self.api = WebAPI(record, now, {BOT_TOKEN: IDENTITY}, directory=directory)

    @property
    def scopes_header(self) -> str:
        """What Slack sends as `x-oauth-scopes`: every scope the manifest asks for."""
        return ",".join(sorted(BOT_SCOPES))

    def call(self, method: str, params: dict[str, Any], token: str | None) -> Answer:
        """Answer one Web API call and log it (a deleted message's text too: the page no longer shows it)."""
        with self.record.changed:
            gone = self.record.find(str(params.get("channel")), str(params.get("ts")))
            answer = self.api.call(method, params, token)
            summary = _summary(method, params, answer, gone.text if gone and method == "chat.delete" else None)
            self.record.calls.append({**summary, "at": self.api.now().isoformat()})
            self.record.touch()
        return answer

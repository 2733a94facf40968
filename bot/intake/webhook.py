"""`POST /intake`: follow-ups from event platforms, forms and automation tools.

A JSON body (`kind`, `title`, `channel`; optional `url`, `details`, `due`, `external_id`, and `team`, the
workspace, which is required when Dibs serves many) becomes a task announced in the channel, exactly
like a feed item. `Authorization: Bearer <DIBS_INTAKE_TOKEN>`,
compared in constant time. The same `external_id` twice makes one task. Everything is decided
from the database in one transaction; the announcement goes out after the answer.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from bot.intake.posts import open_announced_task
from bot.settings.labels import kind_in_sentence, resolve_kind
from bot.slack.dates import read_date
from bot.slack.payloads import clean_text
from bot.slack.text import escape, is_web_link
from bot.tasks.errors import DibsError
from bot.tasks.rules import check_due_date
from bot.timing import local_day
from store.enums import Via
from store.models import Task
from store.queries.external import known, remember
from store.queries.workspaces import is_installed

if TYPE_CHECKING:
    from bot.services import Services

MAX_BODY = 100_000
FIELDS = {"kind", "title", "channel", "url", "details", "due", "external_id", "team"}


@dataclass(frozen=True)
class Answer:
    """What the webhook answers: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any]


def _bad(field: str, why: str) -> Answer:
    return Answer(400, {"error": f"{field}: {why}"})


def authorised(header: str, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    given = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
    return hmac.compare_digest(given.encode(), token.encode())


def _text(data: dict[str, Any], field: str, limit: int, required: bool = False) -> str | None:
    value = data.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field}: expected {'a' if required else 'an optional'} non-empty string")
    return clean_text(value)[:limit]


def _fields(svc: Services, data: Any) -> dict[str, Any]:
    """The body's fields, checked; a ValueError names the first field that is wrong."""
    if not isinstance(data, dict):
        raise ValueError("body: expected a JSON object")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field; accepted fields are {', '.join(sorted(FIELDS))}")
    key = resolve_kind(svc.settings, str(data.get("kind") or ""))  # its key or its label
    if key is None:
        raise ValueError(f"kind: expected one of {', '.join(sorted(svc.settings.kinds))}")
    kind = svc.settings.kinds[key]
    channel = _text(data, "channel", 32, required=True)
    if not re.fullmatch(r"[CG][A-Z0-9]{2,20}", channel or ""):
        raise ValueError("channel: expected a channel id like C0123ABCD")
    team = _text(data, "team", 32)
    if team is not None and not re.fullmatch(r"T[A-Z0-9]{2,20}", team):
        raise ValueError("team: expected a workspace id like T0123ABCD")
    url = _text(data, "url", 1000)
    if url is not None and not is_web_link(url):
        raise ValueError("url: expected an http(s) address")
    due = _text(data, "due", 60)  # as people write it (`2026-12-12`, `Jan 20`, `next Friday`): read in `_due`
    return {
        "kind": kind, "title": _text(data, "title", 2000, required=True), "channel": channel, "url": url,
        "details": _text(data, "details", 20_000), "due": due, "external_id": _text(data, "external_id", 200),
        "team": team,
    }  # fmt: skip


def _due(svc: Services, team_id: str, words: str) -> date:
    """The due date's words read as the workspace writes dates, today in its time zone; ValueError if none."""
    here, now = svc.settings_for(team_id), svc.now()
    day = read_date(words, now, here.tz, here.date_order)
    if day is None:
        raise ValueError("due: expected a date like 2026-12-12, Jan 20 or next Friday")
    check_due_date(day, local_day(now, here))
    return day


def _where(team_id: str, channel_id: str, permalink: str | None) -> str:
    return permalink or f"https://slack.com/app_redirect?team={team_id}&channel={channel_id}"


def workspace(svc: Services, given: str | None, only: str | None, hint: str = "name one like T0123ABCD") -> str:
    """The workspace a webhook call is for: the bot token's (`only`, one workspace), or the installed one it
    names (`given`); a ValueError (`team: …`, with `hint` when none is named) if not."""
    if only is not None:
        if given not in (None, only):
            raise ValueError(f"team: Dibs runs in one workspace here, {only}")
        return only
    if not given:
        raise ValueError(f"team: required, since Dibs serves many workspaces; {hint}")
    with svc.read() as session:
        if not is_installed(session, given):
            raise ValueError(f"team: Dibs is not installed in {given[:32]}")
    return given


def receive(svc: Services, only_team: str | None, body: bytes) -> Answer:
    """Turn one webhook call into a task (or find the one its external_id made).

    `only_team` is the bot token's workspace with one workspace; None when Dibs serves many, and the
    body names its workspace.
    """
    try:
        fields = _fields(svc, json.loads(body or b"null"))
        team_id = workspace(svc, fields["team"], only_team)
        if fields["due"] is not None:
            fields["due"] = _due(svc, team_id, fields["due"])
    except (ValueError, RecursionError, DibsError) as error:
        return _bad(*str(error).split(": ", 1)) if ": " in str(error) else _bad("body", str(error))
    key = f"webhook:{fields['external_id']}" if fields["external_id"] else None
    try:
        with svc.transaction() as tx:
            if key is not None:
                seen, task_id = known(tx.session, team_id, key)
                earlier = tx.session.get(Task, task_id) if seen and task_id is not None else None
                if earlier is not None:
                    return Answer(
                        200, {"id": earlier.id, "url": _where(team_id, earlier.channel_id, earlier.permalink)}
                    )
            headline = f"New {kind_in_sentence(svc.settings, fields['kind'].name)}: *{escape(fields['title'])}*"
            task = open_announced_task(
                tx, team_id=team_id, channel_id=fields["channel"], kind=fields["kind"], title=fields["title"],
                posted_by="webhook", source=Via.WEBHOOK, headline=headline, details=fields["details"],
                url=fields["url"], due_on=fields["due"],
            )  # fmt: skip
            if key is not None and not remember(tx.session, team_id, key, task.id, tx.now):
                raise IntegrityError("external_id", None, Exception("recorded by another request"))
    except IntegrityError:  # the same external_id arrived twice at once: the other one made it
        with svc.read() as session:
            _, task_id = known(session, team_id, key or "")
        return Answer(200, {"id": task_id, "url": _where(team_id, fields["channel"], None)})
    return Answer(201, {"id": task.id, "url": _where(team_id, task.channel_id, None)})

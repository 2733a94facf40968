"""Export: every task with its owners and its whole audit trail (who did what, when, how), as JSON or
CSV for spreadsheets and BI tools. `dibs export` writes it; `/dibs export` sends the CSV privately."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from store.enums import ClaimRole
from store.models import Task, TaskEvent
from store.queries.stats import events_of, tasks_for_export

COLUMNS = ("id", "team_id", "channel_id", "kind", "title", "status", "owners", "created_at", "claimed_at",
           "done_at", "due", "proof", "events")  # fmt: skip
FORMATS = ("csv", "json")


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _event(event: TaskEvent) -> dict[str, Any]:
    return {"at": _when(event.at), "actor": event.actor, "action": event.action, "via": event.via,
            "detail": event.detail}  # fmt: skip


def task_record(task: Task, events: Sequence[TaskEvent]) -> dict[str, Any]:
    """One task as exported: its fields, its owners in the order they took it, its audit trail."""
    return {
        "id": task.id,
        "team_id": task.team_id,
        "channel_id": task.channel_id,
        "kind": task.kind,
        "title": task.title,
        "status": str(task.status),
        "owners": [c.user_id for c in task.claims if c.role == ClaimRole.OWNER],
        "created_at": _when(task.created_at),
        "claimed_at": _when(task.claimed_at),
        "done_at": _when(task.done_at),
        "due": task.due_on.isoformat() if task.due_on else None,
        "proof": task.done_link,
        "events": [_event(e) for e in events],
    }


def export_records(session: Session, where: ColumnElement[bool] | None, since: datetime | None) -> list[dict[str, Any]]:
    """The tasks matching `where` that were created or changed since `since` (None: all), as records."""
    tasks = tasks_for_export(session, where, since)
    events = events_of(session, [t.id for t in tasks])
    return [task_record(t, events.get(t.id, [])) for t in tasks]


def as_json(records: Sequence[dict[str, Any]]) -> str:
    """A JSON array, one object per task."""
    return json.dumps(list(records), indent=2, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)  # owners
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)  # the audit trail, as JSON in one cell
    text = str(value)
    # A spreadsheet runs a cell that starts like a formula: a title typed as =HYPERLINK(…) stays text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(records: Sequence[dict[str, Any]]) -> str:
    """A CSV with a header row and one row per task (owners space-separated, events as JSON)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([_cell(record[c]) for c in COLUMNS])
    return out.getvalue()


def render(records: Sequence[dict[str, Any]], fmt: str) -> str:
    """The export in `fmt` (csv or json)."""
    if fmt not in FORMATS:
        raise ValueError(f"the export format is csv or json, not {fmt!r}")
    return as_csv(records) if fmt == "csv" else as_json(records)

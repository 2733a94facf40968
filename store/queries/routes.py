"""Which user group owns a kind in a workspace (`/dibs route`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from store.models import Route
from store.queries.common import rows_changed


def set_route(session: Session, team_id: str, kind: str, group: str, user_id: str, now: datetime) -> None:
    """The kind's owner group in this workspace is `group` from now on."""
    row = session.get(Route, {"team_id": team_id, "kind": kind})
    if row is None:
        session.add(Route(team_id=team_id, kind=kind, owner_group=group, set_by=user_id, set_at=now))
    else:
        row.owner_group, row.set_by, row.set_at = group, user_id, now


def clear_route(session: Session, team_id: str, kind: str) -> bool:
    """Back to the settings file's owner_group; False if there was no route."""
    return bool(rows_changed(session.execute(delete(Route).where(Route.team_id == team_id, Route.kind == kind))))


def route_of(session: Session, team_id: str, kind: str) -> str | None:
    """The kind's owner group set from Slack in this workspace, if any."""
    row = session.get(Route, {"team_id": team_id, "kind": kind})
    return row.owner_group if row is not None else None

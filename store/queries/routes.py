"""Which user group owns a kind in a workspace (`/dibs route`), and which may claim its tasks
(`/dibs route KIND @group claimers`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import ClaimerRoute, Route
from store.queries.common import put, rows_changed


def set_route(session: Session, team_id: str, kind: str, group: str, user_id: str, now: datetime) -> None:
    """The kind's owner group in this workspace is `group` from now on."""
    put(session, Route, {"team_id": team_id, "kind": kind}, owner_group=group, set_by=user_id, set_at=now)


def clear_route(session: Session, team_id: str, kind: str) -> bool:
    """Back to the settings file's owner_group; False if there was no route."""
    return bool(rows_changed(session.execute(delete(Route).where(Route.team_id == team_id, Route.kind == kind))))


def route_of(session: Session, team_id: str, kind: str) -> str | None:
    """The kind's owner group set from Slack in this workspace, if any."""
    row = session.get(Route, {"team_id": team_id, "kind": kind})
    return row.owner_group if row is not None else None


def set_claimer_route(session: Session, team_id: str, kind: str, group: str, user_id: str, now: datetime) -> None:
    """Only `group`'s members may claim the kind's tasks in this workspace from now on."""
    put(session, ClaimerRoute, {"team_id": team_id, "kind": kind}, group_id=group, set_by=user_id, set_at=now)


def clear_claimer_route(session: Session, team_id: str, kind: str) -> bool:
    """Back to the settings file's `claimers`; False if none was set here."""
    statement = delete(ClaimerRoute).where(ClaimerRoute.team_id == team_id, ClaimerRoute.kind == kind)
    return bool(rows_changed(session.execute(statement)))


def claimer_route_of(session: Session, team_id: str, kind: str) -> str | None:
    """The user group set from Slack whose members may claim the kind's tasks in this workspace, if any."""
    row = session.get(ClaimerRoute, {"team_id": team_id, "kind": kind})
    return row.group_id if row is not None else None


def claimer_routes(session: Session, team_id: str | None = None) -> list[tuple[str, str, str]]:
    """(team, kind, group) of every claimer route set from Slack (in one workspace, or all)."""
    query = select(ClaimerRoute.team_id, ClaimerRoute.kind, ClaimerRoute.group_id)
    if team_id is not None:
        query = query.where(ClaimerRoute.team_id == team_id)
    return [(t, k, g) for t, k, g in session.execute(query.order_by(ClaimerRoute.team_id, ClaimerRoute.kind))]

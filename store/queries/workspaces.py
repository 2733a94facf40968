"""Workspaces that uninstalled Dibs (or revoked its token): nothing more is sent to them; their data stays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from store.enums import PostState
from store.models import OutboxPost, Task, Workspace
from store.queries.common import insert_ignore


def mark_gone(session: Session, team_id: str, now: datetime) -> None:
    """The workspace uninstalled Dibs: call off every pending call to it and every thread update."""
    insert_ignore(session, Workspace, team_id=team_id, uninstalled_at=now)
    session.execute(update(Workspace).where(Workspace.team_id == team_id).values(uninstalled_at=now))
    session.execute(
        update(OutboxPost)
        .where(OutboxPost.team_id == team_id, OutboxPost.state == PostState.PENDING)
        .values(state=PostState.CANCELLED, last_error="uninstalled", lease_until=None, lease_owner=None)
    )
    session.execute(
        update(Task)
        .where(Task.team_id == team_id, Task.thread_version < Task.version)
        .values(thread_version=Task.version, thread_lease_until=None, thread_lease_owner=None)
    )


def mark_installed(session: Session, team_id: str) -> None:
    """Dibs works in the workspace (again): it may speak there."""
    session.execute(update(Workspace).where(Workspace.team_id == team_id).values(uninstalled_at=None))


def gone_teams(session: Session) -> set[str]:
    """The workspaces that uninstalled Dibs."""
    return set(session.scalars(select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))))


def still_installed(team_column: Any) -> ColumnElement[bool]:
    """A condition: the row's workspace has not uninstalled Dibs."""
    return team_column.not_in(select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None)))

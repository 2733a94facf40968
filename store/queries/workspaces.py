"""Workspaces: the ones that uninstalled Dibs (or revoked its token), which get nothing more while their
data stays; the ones installed; and each workspace's own settings (`/dibs settings`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from store.enums import PostState
from store.models import OutboxPost, Task, Workspace, WorkspaceSetting
from store.queries.common import insert_ignore, put, rows_changed


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
        .values(thread_version=Task.version, thread_queued=False)
    )


def mark_installed(session: Session, team_id: str) -> None:
    """Dibs works in the workspace (again): it may speak there."""
    insert_ignore(session, Workspace, team_id=team_id, uninstalled_at=None)
    session.execute(update(Workspace).where(Workspace.team_id == team_id).values(uninstalled_at=None))


def installed_teams(session: Session) -> list[str]:
    """The workspaces Dibs is installed in (and has not been uninstalled from)."""
    return list(session.scalars(select(Workspace.team_id).where(Workspace.uninstalled_at.is_(None))))


def is_installed(session: Session, team_id: str) -> bool:
    """Whether Dibs is installed in the workspace and has not been uninstalled from it."""
    return (
        session.scalar(
            select(Workspace.team_id).where(Workspace.team_id == team_id, Workspace.uninstalled_at.is_(None))
        )
        is not None
    )


def is_gone(session: Session, team_id: str) -> bool:
    """Whether the workspace uninstalled Dibs (or revoked its token)."""
    return session.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == team_id)) is not None


def gone_teams(session: Session) -> set[str]:
    """The workspaces that uninstalled Dibs."""
    return set(session.scalars(select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))))


def still_installed(team_column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """A condition: the row's workspace has not uninstalled Dibs."""
    return team_column.not_in(select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None)))


def setting_values(session: Session, team_id: str) -> dict[str, str]:
    """A workspace's own settings (`/dibs settings`), key -> value as typed."""
    rows = session.execute(
        select(WorkspaceSetting.key, WorkspaceSetting.value).where(WorkspaceSetting.team_id == team_id)
    ).all()
    return {key: value for key, value in rows}


def all_setting_values(session: Session) -> dict[str, dict[str, str]]:
    """Every workspace's own settings: team -> key -> value (one query for a scheduler tick)."""
    found: dict[str, dict[str, str]] = {}
    for team_id, key, value in session.execute(
        select(WorkspaceSetting.team_id, WorkspaceSetting.key, WorkspaceSetting.value)
    ).all():
        found.setdefault(team_id, {})[key] = value
    return found


def setting_rows(session: Session, team_id: str) -> list[WorkspaceSetting]:
    """A workspace's own settings with who set them and when."""
    return list(
        session.scalars(
            select(WorkspaceSetting).where(WorkspaceSetting.team_id == team_id).order_by(WorkspaceSetting.key)
        )
    )


def set_setting(session: Session, team_id: str, key: str, value: str, user_id: str, now: datetime) -> None:
    """The workspace's `key` is `value` from now on."""
    put(session, WorkspaceSetting, {"team_id": team_id, "key": key}, value=value, set_by=user_id, set_at=now)


def clear_setting(session: Session, team_id: str, key: str) -> bool:
    """Back to the settings file's value; False if the workspace had none of its own."""
    result = session.execute(
        delete(WorkspaceSetting).where(WorkspaceSetting.team_id == team_id, WorkspaceSetting.key == key)
    )
    return bool(rows_changed(result))

"""Finding one task of a workspace, as a person may see it: a private channel's task is not there for anyone
elsewhere, and "no such task" says which ids there are. Every task service starts here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.tasks.errors import TaskNotFound
from store.models import Task
from store.queries import tasks as queries

# How many ids a "no such task" answer lists before it says "and more".
IDS_SHOWN = 15


def _existing_ids(session: Session, team_id: str, seen_from: str | None) -> str:
    ids = queries.active_task_ids(session, team_id, IDS_SHOWN + 1, seen_from)
    if not ids:
        return "There are no open tasks in this workspace."
    shown = ", ".join(f"#{i}" for i in ids[:IDS_SHOWN])
    more = " and more (see `/dibs list`)" if len(ids) > IDS_SHOWN else ""
    return f"Open tasks: {shown}{more}."


def found(session: Session, team_id: str, task_id: int, task: Task | None, seen_from: str | None) -> Task:
    """`task` if it can be seen from `seen_from`; a private channel's task is not there for anyone elsewhere."""
    if task is None or (task.private and seen_from is not None and seen_from != task.channel_id):
        raise TaskNotFound(f"There is no task #{task_id}. {_existing_ids(session, team_id, seen_from)}")
    return task


def locked_task(session: Session, team_id: str, task_id: int, seen_from: str | None = None) -> Task:
    """The task, locked for the transaction, if it can be seen from `seen_from`."""
    return found(session, team_id, task_id, queries.lock_task(session, team_id, task_id), seen_from)

"""When the Home tab is published: on opening it, and again for the people concerned whenever a task
they see changes (the outbox row says only whose tab; `bot.editor.home_publish` draws it as it is sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.delivery.outbox import queue_home
from bot.tasks.lookup import found
from store.models import Claim, Task
from store.queries.home import opened_home

if TYPE_CHECKING:
    from bot.services import Services


def open_home(svc: Services, team_id: str, user_id: str) -> None:
    """The person opened the Home tab: remember it (changes refresh it from now on) and publish it."""
    with svc.transaction() as tx:
        opened_home(tx.session, team_id, user_id, tx.now)
        tx.forget(("homes", team_id))
        queue_home(tx, team_id, user_id)


def tell_on_home(svc: Services, team_id: str, user_id: str, notice: str) -> None:
    """Publish the person's Home tab with `notice` on top (what their click on it did, or why not)."""
    with svc.transaction() as tx:
        queue_home(tx, team_id, user_id, notice)


def check_home_click(svc: Services, team_id: str, task_id: int, user_id: str) -> None:
    """A button on the Home tab acts on a private channel's task only for its people: those on it or who posted
    it, and members of its channel (as their tab was drawn); anyone else is told there is no such task."""
    with svc.read() as session:
        where = select(Task.id, Task.channel_id, Task.private, Task.posted_by, Task.nominee)
        task = session.execute(where.where(Task.team_id == team_id, Task.id == task_id)).first()
        if task is None or not task.private or user_id in (task.posted_by, task.nominee):
            return
        member_of = svc.memberships.known(team_id, user_id) or frozenset()
        on_it = select(Claim.id).where(Claim.task_id == task.id, Claim.user_id == user_id).limit(1)
        if task.channel_id not in member_of and session.scalar(on_it) is None:
            found(session, team_id, task_id, None, seen_from="")  # raises TaskNotFound, as in any other channel

"""When the Home tab is published: on opening it, and again for the people concerned whenever a task
they see changes (the outbox row says only whose tab; `bot.home.publish` draws it as it is sent)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.delivery.outbox import At, queue_home
from bot.services import Services
from store.models import Task
from store.queries.home import home_viewers, homes_waiting, opened_home

# Someone who opened the tab this recently sees new and newly claimed tasks appear on it.
LOOKING = timedelta(minutes=30)


def open_home(svc: Services, team_id: str, user_id: str) -> None:
    """The person opened the Home tab: remember it (changes refresh it from now on) and publish it."""
    with svc.transaction() as tx:
        opened_home(tx.session, team_id, user_id, tx.now)
        queue_home(tx, team_id, user_id)


def tell_on_home(svc: Services, team_id: str, user_id: str, notice: str) -> None:
    """Publish the person's Home tab with `notice` on top (what their click on it did, or why not)."""
    with svc.transaction() as tx:
        queue_home(tx, team_id, user_id, notice)


def refresh_homes(session: Session, task: Task, now: datetime, actor: str | None = None) -> None:
    """A task changed: publish again the Home tab of the people on it (and who changed it) who use the tab,
    and of everyone who opened it lately (a public task only: a private channel's task shows to its people)."""
    involved = {c.user_id for c in task.claims} | {task.posted_by} | {u for u in (task.done_by, actor) if u}
    with session.no_autoflush:  # who looks at Home does not depend on this transaction's changes
        viewers = set(home_viewers(session, task.team_id, involved, now - LOOKING))
        if task.private:
            viewers &= involved
        waiting = homes_waiting(session, task.team_id, viewers)
    for user_id in sorted(viewers - waiting):
        queue_home(At(session, now), task.team_id, user_id)

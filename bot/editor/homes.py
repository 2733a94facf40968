"""Home tabs as kept messages: published again for the people a changed task concerns (and for whoever
looked at their tab lately), drawn when the courier sends them, so a burst of changes publishes once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.delivery.outbox import queue_home
from bot.tasks.tx import Tx
from store.models import Task
from store.queries.home import home_users, homes_waiting

# Someone who opened the tab this recently sees new and newly claimed tasks appear on it.
LOOKING = timedelta(minutes=30)


def _home_users(tx: Tx, team_id: str) -> dict[str, datetime]:
    """Who ever opened their Home tab in the workspace, and when they last did (kept a moment per bot)."""
    if tx.memo is None:
        return home_users(tx.session, team_id)
    return tx.memo.get(("homes", team_id), lambda: home_users(tx.session, team_id))


def refresh_homes(tx: Tx, task: Task, actors: set[str]) -> None:
    """A task changed: publish again the Home tab of the people on it (and who changed it) who use the tab,
    and of everyone who opened it lately (a public task only: a private channel's task shows to its people)."""
    involved = (
        {c.user_id for c in task.claims} | {task.posted_by} | actors | ({task.done_by} if task.done_by else set())
    )
    session = tx.session
    with session.no_autoflush:  # who looks at Home does not depend on this transaction's changes
        ever = _home_users(tx, task.team_id)  # who ever opened it, and when they last did
        viewers = {u for u, opened in ever.items() if u in involved or opened >= tx.now - LOOKING}
        if task.private:
            viewers &= involved
        waiting = homes_waiting(session, task.team_id, viewers)
    for user_id in sorted(viewers - waiting):
        queue_home(tx, task.team_id, user_id)

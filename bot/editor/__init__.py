"""The editor: the one place that decides what Dibs says, to whom and when.

The domain records what changed in a transaction (`bot.tasks.changes`, on `Tx.changes`); `write` reads
those changes before the commit and turns them into outbox rows, so what Dibs will say is kept in the
same transaction as what happened. Kept messages (a task's thread reply, a person's Home tab) are brought
up to date rather than posted again; each person gets one direct message per change (`bot.editor.letters`).
"""

from __future__ import annotations

from bot.editor.away import write_away
from bot.editor.homes import refresh_homes
from bot.editor.intake import write_intake
from bot.editor.letters import write_letters
from bot.editor.lists import list_changed
from bot.editor.schedule import write_schedule
from bot.editor.threads import queue_roster, queue_thread
from bot.tasks.changes import RosterDue, TaskChanged
from bot.tasks.tx import Tx
from store.models import Task


def write(tx: Tx) -> None:
    """Turn the transaction's changes into what Dibs says (outbox rows), before it commits."""
    if not tx.changes:
        return
    changes = list(tx.changes)
    tx.changes.clear()
    changed: dict[int, tuple[Task, set[str]]] = {}
    for change in changes:
        if isinstance(change, TaskChanged):
            _, actors = changed.setdefault(change.task.id, (change.task, set()))
            actors.update([change.actor] if change.actor else [])
        elif isinstance(change, RosterDue):
            queue_roster(tx, change.task)
    write_intake(tx, changes)
    write_schedule(tx, changes)
    channels = set()
    for task, actors in changed.values():
        queue_thread(tx, task)
        refresh_homes(tx, task, actors)
        channels.add((task.team_id, task.channel_id))
    for team_id, channel_id in sorted(channels):
        list_changed(tx, team_id, channel_id)
    write_letters(tx, changes)
    write_away(tx, changes)

"""The editor: the one place that decides what Dibs says, to whom and when.

The domain records what changed in a transaction (`bot.tasks.changes`, on `Tx.changes`); `write` reads
those changes before the commit and turns them into outbox rows, so what Dibs will say is kept in the
same transaction as what happened. Kept messages (a task's thread reply, a person's Home tab) are brought
up to date rather than posted again.
"""

from __future__ import annotations

from bot.editor.homes import refresh_homes
from bot.editor.threads import queue_thread
from bot.tasks.changes import TaskChanged
from bot.tasks.tx import Tx


def write(tx: Tx) -> None:
    """Turn the transaction's changes into what Dibs says (outbox rows), before it commits."""
    for change in tx.changes:
        if isinstance(change, TaskChanged):
            task = change.task
            queue_thread(tx, task)
            refresh_homes(tx, task, change.actor)
    tx.changes.clear()

"""Someone back from being away hears, once, what passed them by: "While you were out of office, the open seat on
#4 Booth at the expo went to the next in line. You are still on its waitlist." One message for everything."""

from __future__ import annotations

from bot.delivery.outbox import queue_dm
from bot.editor.words import dm_title
from bot.tasks.changes import Change, WelcomeBack
from bot.tasks.tx import Tx

MOST = 10  # tasks named in one message; the rest are counted


def back_text(change: WelcomeBack) -> str:
    """The message: a line for each task (at most `MOST`)."""
    lines = []
    for task, how, waiting in change.notices[:MOST]:
        still = " You are still on its waitlist." if waiting else ""
        lines.append(f"While you were {how}, the open seat on {dm_title(task)} went to the next in line.{still}")
    more = len(change.notices) - MOST
    if more > 0:
        lines.append(f"The same happened on {more} more; `/dibs list` shows them.")
    return "\n".join(lines)


def write_away(tx: Tx, changes: list[Change]) -> None:
    """Queue the message for each person who is back (once for the same notices)."""
    for change in changes:
        if isinstance(change, WelcomeBack) and change.notices:
            only = change.notices[0][0].id if len(change.notices) == 1 else None
            key = f"back:{change.team_id}:{change.user}:{tx.now.isoformat()}"  # the notices are told once anyway
            queue_dm(tx, change.team_id, change.user, back_text(change), task_id=only, dedupe_key=key)

"""What follows when a follow-up comes in by another door: Dibs's own post of a task it announces (its
thread follows once the post is up), the note in its thread when the team's calendar moves its event, joining a
channel it now watches, reading back a file shared in a gift campaign's thread."""

from __future__ import annotations

from bot.delivery.outbox import queue_call, queue_message
from bot.editor.announce import build_intake_announcement
from bot.editor.task_views import build_announcement
from bot.editor.team_calendars import queue_moved
from bot.tasks.changes import Announced, Change, ChannelWatched, EventMoved, FileShared
from bot.tasks.tx import Tx
from store.enums import Purpose


def _announce(tx: Tx, change: Announced) -> None:
    task = change.task
    if change.headline is None:  # /dibs new
        message = build_announcement(task.title, task.kind, task.posted_by, tx.settings)
    else:
        message = build_intake_announcement(change.headline, change.details, change.url)
    queue_message(
        tx, task.team_id, task.channel_id, message, Purpose.ANNOUNCE, task_id=task.id, response_url=change.response_url
    )


def write_intake(tx: Tx, changes: list[Change]) -> None:
    """Queue what the transaction's new follow-ups, watched channels and shared files call for."""
    for change in changes:
        match change:
            case Announced():
                _announce(tx, change)
            case EventMoved():
                queue_moved(tx, change)
            case ChannelWatched():
                queue_call(
                    tx, team_id=change.team_id, channel_id=change.channel_id, purpose=Purpose.JOIN,
                    method="conversations.join", args={"channel": change.channel_id}, response_url=change.response_url,
                )  # fmt: skip
            case FileShared():
                task = change.task
                queue_call(
                    tx, team_id=task.team_id, channel_id=task.channel_id, recipient=change.user_id,
                    thread_ts=change.thread_ts, task_id=task.id, purpose=Purpose.IMPORT, method="files.info",
                    args={"file": change.file_id}, dedupe_key=f"import:{change.key}",
                )  # fmt: skip

"""What delivery needs to know about each purpose, from the editor: how a call is drawn as it is sent, what
its end means (a posted announcement's ts, a gift list read back, a task cancelled because its channel is
gone, a swap called off because its question reached nobody, a sentence for the person who asked), whether a
row is still wanted, and which purposes keep a channel's pace. Delivery itself stays transport.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.delivery.calls import Call, Handling, Prepare, Settle
from bot.delivery.failures import Failure
from bot.delivery.outbox import ReplyTo, queue_call, queue_dm, queue_note
from bot.editor.calendars import calendar_call
from bot.editor.home_publish import home_call
from bot.editor.links import Permalinks
from bot.editor.lists import list_call, list_settled
from bot.editor.nominee import nominee_call
from bot.editor.threads import queue_thread, thread_call, thread_settled
from bot.editor.uploads import chart_call, export_call
from bot.gifts.imports import download, import_recipients
from bot.slack.text import mention
from bot.staffing.seating import swap_undelivered
from bot.tasks import rules
from bot.tasks.tx import Tx
from store.enums import NAG_PURPOSES, Purpose, TaskStatus, Via
from store.models import OutboxPost, Task
from store.queries.channels import is_muted

if TYPE_CHECKING:
    from bot.services import Services

# Scheduled posts to a channel go out at most one a second (Slack's pace for chat.postMessage).
PACED = frozenset({Purpose.DUE})  # a list moves at most once per quiet window: no pace needed
CANNOT_POST = "Slack would not let me post here ({error}). Invite me with `/invite @Dibs` and try again."
CANNOT_EXPORT = (
    "I could not send your export: Slack answered {error}. A Slack admin may need to reinstall Dibs "
    "(it needs files:write and im:write)."
)
CANNOT_JOIN = (
    "I could not join <#{channel}> by myself (private channels need an invite): `/invite @Dibs` so I can see its posts."
)
UNREACHED = (
    "I couldn't reach {to}, so your seat on #{task} stays yours. Pick someone else with `/dibs swap {task} @someone`."
)
Answer = dict[str, Any] | None


def still_wanted(session: Session, row: OutboxPost) -> bool:
    """A reminder about an unclaimed task (or an event's free seats) is dropped once it is claimed (every seat
    held) or its channel muted; "still on it?" once the task is no longer a claim without a due date."""
    if row.purpose == Purpose.STALE and row.task_id is not None:
        quiet = session.get(Task, row.task_id)
        return quiet is not None and quiet.status == TaskStatus.CLAIMED and quiet.due_on is None
    if row.purpose not in NAG_PURPOSES or row.task_id is None:
        return True
    task = session.get(Task, row.task_id)
    if task is None or task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED) or task.next_nag_at is None:
        return False
    return not is_muted(session, task.team_id, task.channel_id)


def announced(tx: Tx, row: OutboxPost, call: Call | None, answer: Answer, failure: Failure | None) -> str | None:
    """Dibs's own post of a task is up: the task lives under it now, and its thread follows. Given up (the
    channel is gone, Dibs is not in it): the task is cancelled, and whoever asked is told why."""
    task = tx.session.get(Task, row.task_id, with_for_update={"key_share": True}) if row.task_id is not None else None
    if answer is not None and task is not None and task.message_ts is None and answer.get("ts"):
        task.message_ts = str(answer["ts"])
        queue_thread(tx, task)
    if failure is None:
        return None
    if task is not None and task.message_ts is None and task.status == TaskStatus.OPEN:
        task.status, task.next_nag_at = TaskStatus.CANCELLED, None
        rules.record(tx, task, "schedule", "cancelled", Via.SCHEDULE, detail=failure.error)
    return CANNOT_POST.format(error=failure.error)


def import_call(client: WebClient, call: Call, now: datetime) -> Call:
    """files.info of a CSV shared in a campaign's thread, and the file itself (read now, imported when settled)."""
    answer = dict(client.files_info(**call.kwargs).data)  # type: ignore[arg-type]
    answer["csv"] = download(client, answer)
    return Call(call.id, call.team_id, call.channel_id, call.method, call.kwargs, call.purpose, call.recipient,
                call.task_id, made=answer)  # fmt: skip


def imported(tx: Tx, row: OutboxPost, call: Call | None, answer: Answer, failure: Failure | None) -> str | None:
    """The recipients read from the file go into the campaign (the person who shared it is told)."""
    if answer is not None and "csv" in answer and row.task_id is not None and row.recipient:
        said = import_recipients(tx, row.task_id, row.recipient, str(answer["csv"]))
        queue_note(tx, ReplyTo(row.team_id, row.channel_id, row.recipient, row.thread_ts), said)
    return CANNOT_POST.format(error=failure.error) if failure is not None and row.response_url else None


def calendar_settled(tx: Tx, row: OutboxPost, call: Call | None, answer: Answer, failure: Failure | None) -> str | None:
    """Without files:write (or im:write) the owner still gets the entry: its words and Google Calendar link."""
    if failure is not None and row.method == "files.upload_v2" and failure.error.startswith("missing_scope"):
        queue_call(
            tx, team_id=row.team_id, channel_id=row.channel_id, recipient=row.recipient, purpose=Purpose.CALENDAR,
            task_id=row.task_id, args=json.loads(row.args or "{}"), dedupe_key=f"{row.dedupe_key}:text",
        )  # fmt: skip
    return None


def _telling(sentence: str) -> Settle:
    def settle(tx: Tx, row: OutboxPost, call: Call | None, answer: Answer, failure: Failure | None) -> str | None:
        return sentence.format(error=failure.error, channel=row.channel_id) if failure is not None else None

    return settle


def swap_settled(tx: Tx, row: OutboxPost, call: Call | None, answer: Answer, failure: Failure | None) -> str | None:
    """A swap's question that cannot be delivered (Dibs itself, another bot, someone deactivated) calls the swap
    off, and whoever asked hears it (a swap never answered would otherwise wait forever)."""
    swap_id = row.dedupe_key.removeprefix("swap:")
    if failure is None or not swap_id.isdigit():
        return None
    swap = swap_undelivered(tx, int(swap_id))
    if swap is not None:
        said = UNREACHED.format(to=mention(swap.to_user), task=swap.task_id)
        queue_dm(tx, swap.team_id, swap.from_user, said, task_id=swap.task_id)
    return None


def modal_settled(tx: Tx, row: OutboxPost, call: Call | None, answer: Answer, failure: Failure | None) -> str | None:
    """Slack would not open the modal (its trigger lasts 3 s): the person gets the sentence it carried."""
    if failure is not None and row.recipient and row.text:
        queue_note(tx, ReplyTo(row.team_id, row.channel_id, row.recipient), row.text)
    return None


def given_up(tx: Tx, row: OutboxPost, call: Call | None, answer: Answer, failure: Failure | None) -> str | None:
    """Any other call that will never go: whoever asked (a slash command) hears why."""
    return CANNOT_POST.format(error=failure.error) if failure is not None and row.response_url else None


def handling(svc: Services, links: Permalinks | None = None) -> Handling:
    """Everything delivery needs to know about Dibs's purposes."""
    shown = links or Permalinks()

    def drawn(prepare: Callable[[WebClient, Services, Call, datetime], Call | None]) -> Prepare:
        return lambda client, call, now: prepare(client, svc, call, now)

    return Handling(
        prepare={
            Purpose.THREAD: lambda client, call, now: thread_call(svc, shown, client, call, now),
            Purpose.CALENDAR: drawn(calendar_call),
            Purpose.CHART: drawn(chart_call),
            Purpose.EXPORT: drawn(export_call),
            Purpose.HOME: drawn(home_call),
            Purpose.NOMINATE: drawn(nominee_call),
            Purpose.IMPORT: import_call,
            Purpose.LIST: lambda client, call, now: list_call(svc, client, call, now),
        },
        settle={
            Purpose.THREAD: thread_settled,
            Purpose.LIST: list_settled,
            Purpose.UNLIST: lambda tx, row, call, answer, failure: None,  # already gone: nothing to say
            Purpose.ANNOUNCE: announced,
            Purpose.IMPORT: imported,
            Purpose.CALENDAR: calendar_settled,
            Purpose.MODAL: modal_settled,
            Purpose.SWAP: swap_settled,
            Purpose.JOIN: _telling(CANNOT_JOIN),
            Purpose.EXPORT: _telling(CANNOT_EXPORT),
        },
        default_settle=given_up,
        wanted=still_wanted,
        paced=PACED,
        checked=frozenset({Purpose.STALE, *NAG_PURPOSES}),
    )

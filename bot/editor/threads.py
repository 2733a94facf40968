"""A task's thread reply, a kept message: posted once under the task's post, then updated in place whenever
the task reads differently, through the outbox like everything else Dibs says.

Every change moves `tasks.version` on; the reply shows `tasks.thread_version`. While they differ, one outbox
row (`Purpose.THREAD`, flagged by `tasks.thread_queued`) stands for the reply: it is drawn as it is sent, from
the task as it is then, so a burst of changes makes one call. If the row's last holder died mid-call, Slack
may have the reply already: it is looked up (by the metadata Dibs puts on it) before posting, so a crash never
doubles a question.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.delivery.calls import Call
from bot.delivery.failures import Failure
from bot.delivery.outbox import Open, queue_call
from bot.editor.links import Permalinks
from bot.editor.thread_view import build_ownership_message
from bot.editor.words import linked_title
from bot.settings import Settings
from bot.slack.text import mention
from bot.tasks.event import when_text
from bot.tasks.model import TaskSnapshot, snapshot
from bot.tasks.routing import kind_for
from bot.tasks.tx import Tx
from bot.timing import local_day
from store.enums import Purpose
from store.models import OutboxPost, Task
from store.queries.gifts import gift_counts
from store.queries.tasks import load_task, thread_shown

if TYPE_CHECKING:
    from bot.services import Services

METADATA_TYPE = "dibs_task"


def metadata_for(task_id: int) -> dict[str, Any]:
    """What Dibs attaches to a thread reply, so the reply can be found again by its task."""
    return {"event_type": METADATA_TYPE, "event_payload": {"task_id": task_id}}


def queue_thread(tx: Open, task: Task) -> None:
    """The task's thread reply is behind: one row brings it up to date (none while one is queued; none
    before the task's post exists: the reply follows the announcement)."""
    if task.message_ts is None or task.thread_queued or task.thread_version >= task.version:
        return
    task.thread_queued = True
    queue_call(
        tx, team_id=task.team_id, channel_id=task.channel_id, purpose=Purpose.THREAD, task_id=task.id,
        args={"task": task.id}, dedupe_key=f"thread:{task.id}:{task.version}", hint=snapshot(task),
    )  # fmt: skip


def find_reply(client: WebClient, task: TaskSnapshot) -> str | None:
    """The ts of Dibs's reply to this task already in the thread, if a crashed process posted one."""
    assert task.message_ts is not None
    answer = client.conversations_replies(channel=task.channel_id, ts=task.message_ts, include_all_metadata=True)
    for message in answer.get("messages") or []:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == METADATA_TYPE and (meta.get("event_payload") or {}).get("task_id") == task.id:
            return str(message["ts"])
    return None


def thread_call(svc: Services, links: Permalinks, client: WebClient, call: Call, now: datetime) -> Call | None:
    """The reply as it should read now: chat.postMessage the first time, chat.update after (a Prepare). The task
    as the transaction that queued the row left it (`call.hint`), or as the database has it."""
    with svc.read() as session:
        task = call.hint if isinstance(call.hint, TaskSnapshot) else None
        if task is None:
            row = load_task(session, call.team_id, int(call.kwargs["task"]))
            task = snapshot(row) if row is not None else None
        if task is None or task.message_ts is None:
            return None
        kind = kind_for(session, svc.settings, task.team_id, task.kind, svc.memo)
        gifts = gift_counts(session, task.id) if task.kind == "gift_campaign" else None
        here = svc.settings_for(task.team_id, session)
    message = build_ownership_message(task, kind, here, local_day(now, here), gifts or None)
    assert task.message_ts is not None
    permalink = task.permalink or links.of(client, task.team_id, task.channel_id, task.message_ts)
    reply_ts = task.reply_ts or (find_reply(client, task) if call.orphaned else None)
    meta = {"version": task.version, "reply_ts": reply_ts, "permalink": permalink}
    if reply_ts:
        kwargs: dict[str, Any] = {"channel": task.channel_id, "ts": reply_ts, **message.as_kwargs()}
        return replace(call, method="chat.update", kwargs=kwargs, meta=meta)
    kwargs = {"channel": task.channel_id, "thread_ts": task.message_ts, "unfurl_links": False,
              "metadata": metadata_for(task.id), **message.as_kwargs()}  # fmt: skip
    return replace(call, method="chat.postMessage", kwargs=kwargs, meta=meta)


def thread_settled(
    tx: Tx, row: OutboxPost, call: Call | None, answer: dict[str, Any] | None, failure: Failure | None
) -> str | None:
    """The reply shows what `call` drew (or, given up, that version never will): if the task changed meanwhile,
    the next row brings it up to date."""
    if row.task_id is None:
        return None
    meta = call.meta if call is not None else {}
    reply_ts = str(meta.get("reply_ts") or (answer or {}).get("ts") or "") or None
    # A failure: this version will never show; a later change tries again. The update waits for a change in
    # flight (it saw `thread_queued` set and queued nothing), so it sees that change's version.
    shown = int(meta.get("version") or 0) if answer is not None else None if failure is not None else 0
    versions = thread_shown(tx.session, row.task_id, shown, reply_ts, meta.get("permalink"))
    if versions is not None and versions[1] < versions[0]:  # changed meanwhile: the next row brings it up to date
        task = tx.session.get(Task, row.task_id)
        if task is not None:
            queue_thread(tx, task)
    return None


def roster_text(task: TaskSnapshot, settings: Settings) -> str:
    """The roster: each role's people, and its free seats in bold."""
    lines = [f"*Roster for #{task.id} {linked_title(task)}*{when_text(task, settings)}"]
    for seating in task.seating:
        held = [mention(o) for o in seating.owners] + [f"{mention(u)} (offered)" for u, _ in seating.offered]
        free = f"*{seating.free} free seat{'s' if seating.free != 1 else ''}*" if seating.free else ""
        who = ", ".join([*held, free] if free else held) or "nobody"
        lines.append(f"• {seating.name}: {who}" if seating.name else f"• {who}")
    if task.free_slots:
        lines.append(f"Can you help? `/dibs claim {task.id}` takes a free seat.")
    return "\n".join(lines)


def queue_roster(tx: Tx, task: Task) -> None:
    """The roster, posted in the event's thread before it (once per version of its time)."""
    queue_call(
        tx, team_id=task.team_id, channel_id=task.channel_id, thread_ts=task.message_ts,
        text=roster_text(snapshot(task), tx.settings_for(task.team_id)), purpose=Purpose.ROSTER, task_id=task.id,
        dedupe_key=f"roster:{task.id}:{task.calendar_seq}",
    )  # fmt: skip

"""An owner's calendar entry: queued in the transaction that decided it, written as it is sent.

The courier uploads the `.ics` to the owner's DM with Dibs, with a Google Calendar link in the comment (after
whatever else the change said to them: see `bot.editor.letters`). An entry waits
`staffing.calendar_merge_within` before it goes, and changes to it meanwhile join it, so a date and then the
hours set a minute apart make one message. Where Dibs lacks files:write (or im:write) the upload is refused with
`missing_scope`; then the same entry goes as a plain DM with the link (`bot.editor.handling`), and the courier
logs the missing scope once for the workspace.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from sqlalchemy import select

from bot.delivery.calls import Call
from bot.delivery.outbox import queue_call
from bot.slack.text import escape, is_person, plain
from bot.staffing.calendar import CalendarEntry, describe_when, entry_of, google_calendar_link, ics_entry
from bot.tasks.tx import Tx
from store.enums import Purpose, TaskStatus
from store.models import Task
from store.queries.outbox import waiting_post

if TYPE_CHECKING:
    from bot.services import Services

UPLOAD = "files.upload_v2"


def queue_calendar(tx: Tx, task: Task, user_id: str, cancel: bool = False, lead: str = "") -> None:
    """Queue `user_id`'s calendar entry for `task` (or its cancellation), after `lead` (what else the change
    told them): one upload to their DM, written when it is sent, from the task as it is then. An entry still
    waiting to go takes the change instead. Nothing for a task without a date or for someone not a person.

    Call it once the task's `calendar_seq` is moved on (a new time or place): the SEQUENCE is part of the
    row's key, so the same entry is queued once per version and owner.
    """
    if (task.due_on is None and task.event_start is None) or not is_person(user_id):
        return
    waiting = waiting_post(tx.session, task.team_id, user_id, Purpose.CALENDAR, task.id)
    if waiting is not None:
        args = json.loads(waiting.args or "{}")
        said = " ".join(part for part in (args.get("lead", ""), lead) if part)
        waiting.args = json.dumps({**args, "cancel": cancel, "seq": task.calendar_seq, "lead": said})
        return
    mark = "x" if cancel else "r"
    queue_call(
        tx, team_id=task.team_id, channel_id=user_id, recipient=user_id, purpose=Purpose.CALENDAR, method=UPLOAD,
        task_id=task.id, args={"task": task.id, "cancel": cancel, "seq": task.calendar_seq, "lead": lead},
        dedupe_key=f"cal:{task.id}:{user_id}:{task.calendar_seq}:{mark}",
        send_after=tx.now + tx.settings_for(task.team_id).staffing.calendar_merge_within,
    )  # fmt: skip


def join_calendar(tx: Tx, task: Task, user_id: str, lead: str) -> bool:
    """Add `lead` to the person's calendar entry for the task that is still waiting to go; False if none is."""
    waiting = waiting_post(tx.session, task.team_id, user_id, Purpose.CALENDAR, task.id)
    if waiting is None:
        return False
    args = json.loads(waiting.args or "{}")
    waiting.args = json.dumps({**args, "lead": " ".join(part for part in (args.get("lead", ""), lead) if part)})
    return True


def _why_off(task: Task, entry: CalendarEntry) -> str:
    if task.status == TaskStatus.CANCELLED:
        return f"#{task.id} was cancelled"
    if entry.when is None:
        return f"#{task.id} no longer has a date"
    return f"you are no longer on #{task.id}"


def calendar_text(task: Task, entry: CalendarEntry, cancel: bool, attached: bool, lead: str = "") -> str:
    """The DM's words: what else the change said (`lead`), what and when, the Google Calendar link, and the
    attached `.ics` when there is one."""
    said = f"{lead} " if lead else ""
    what = f"#{task.id} {escape(plain(entry.title))}"
    where = f" at {escape(entry.place)}" if entry.place else ""
    when = f", {describe_when(entry.when, entry.zone)}" if entry.when is not None else ""
    if cancel:
        todo = "open the attached .ics to take it off your calendar" if attached else "remove it from your calendar"
        return f"{said}Your calendar entry for {what}{where}{when} is cancelled ({_why_off(task, entry)}): {todo}."
    link = f"<{google_calendar_link(entry)}|Add to Google Calendar>"
    rest = ", or open the attached .ics." if attached else "."
    return f"{said}Your calendar entry for {what}{where}{when}: {link}{rest}"


def calendar_call(client: WebClient, svc: Services, call: Call, now: datetime) -> Call | None:
    """The entry as it is sent (a Prepare): the `.ics` uploaded to the owner's DM, or the plain DM with the
    link where the outbox fell back to one (a `chat.postMessage` row); None when there is nothing to send any
    more (the task is gone, or has no date, or was cancelled, and this is not a cancellation)."""
    cancel, lead = bool(call.kwargs.get("cancel")), str(call.kwargs.get("lead") or "")
    user = call.recipient or call.channel_id
    with svc.read() as session:
        task = session.scalar(select(Task).where(Task.id == int(call.kwargs["task"]), Task.team_id == call.team_id))
        if task is None:
            return None
        entry = entry_of(task, svc.settings_for(call.team_id, session).tz)
        if not cancel and (entry.when is None or task.status == TaskStatus.CANCELLED):
            return None
        if call.method != UPLOAD:  # the fallback without files:write: the words and the link alone
            text = calendar_text(task, entry, cancel, attached=False, lead=lead)
            return replace(call, kwargs={"channel": user, "text": text, "unfurl_links": False})
        text = calendar_text(task, entry, cancel, attached=True, lead=lead)
        ics = ics_entry(entry, now, cancel=cancel)
    dm = client.conversations_open(users=user)
    channel = str((dm.get("channel") or {}).get("id") or "")
    return replace(
        call,
        kwargs={"channel": channel, "content": ics, "filename": f"dibs-{entry.task_id}.ics",
                "title": f"#{entry.task_id} {entry.title}", "initial_comment": text},
    )  # fmt: skip

"""Events from a team's calendar: the note in an event's thread when the calendar moves or cancels it, and the
answer to `/dibs calendars`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.delivery.outbox import queue_call
from bot.editor.texts import polled
from bot.settings import Settings
from bot.settings.calendars import shown_address
from bot.settings.labels import kind_label
from bot.slack.text import escape, format_duration
from bot.tasks.changes import EventMoved
from bot.tasks.event import when_of
from bot.tasks.tx import Tx
from store.enums import Purpose
from store.models import Feed, Task


def event_when(task: Task, settings: Settings) -> str:
    """`Thu 22 Jan, 10:00–16:00 at Hall 3`, or `Thu 22 Jan` for a day alone (the workspace's time zone)."""
    if task.due_on is None:
        return "no date"
    return when_of(
        task.due_on, task.event_start, task.event_end, task.place, settings, lead="", hours=", ", at=" at ", zone=False
    )


def moved_text(task: Task, settings: Settings, cancelled: bool = False) -> str:
    """What the event's thread hears when the team's calendar moves or cancels it."""
    if cancelled:
        return f":no_entry_sign: Cancelled in the team's calendar, so #{task.id} is cancelled."
    return f":calendar: Moved to {event_when(task, settings)} (the team's calendar changed)."


def queue_moved(tx: Tx, change: EventMoved) -> None:
    """The note in the event's thread (none before its post is up: its thread reply shows the new time)."""
    task = change.task
    if task.message_ts is None:
        return
    mark = "x" if change.cancelled else str(task.calendar_seq)
    queue_call(
        tx, team_id=task.team_id, channel_id=task.channel_id, thread_ts=task.message_ts, task_id=task.id,
        text=moved_text(task, tx.settings_for(task.team_id), change.cancelled), purpose=Purpose.MOVED,
        dedupe_key=f"moved:{task.id}:{mark}",
    )  # fmt: skip


def calendars_text(calendars: list[Feed], now: datetime, channel_id: str, settings: Settings | None = None) -> str:
    """`/dibs calendars`: each calendar with its id, kind, words, how often, and how its last reads went."""
    if not calendars:
        return (
            f"<#{channel_id}> reads no calendars. `/dibs calendar add URL` announces a team calendar's new events "
            "here (its iCal address)."
        )
    lines = [f"*Calendars announced in <#{channel_id}>*"]
    for calendar in calendars:
        every = format_duration(timedelta(seconds=calendar.every_seconds))
        ahead = format_duration(timedelta(seconds=calendar.horizon_seconds))
        words = json.loads(calendar.match) if calendar.match else []
        matching = " · events naming " + ", ".join(f"“{escape(w)}”" for w in words) if words else ""
        kind = kind_label(settings, calendar.kind)
        lines.append(
            f"• `{calendar.id}` {escape(shown_address(calendar.url))} · {kind}{matching} · every {every}, {ahead} ahead"
            + polled(calendar, now)
        )
    return "\n".join(lines)

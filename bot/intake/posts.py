"""A marketing post in a watched channel becomes a task; everything else stays quiet."""

from __future__ import annotations

from bot.intake.channels import is_watched
from bot.intake.classify import classify, title_from
from bot.services import Services
from bot.tasks.replies import Outcome
from bot.tasks.service import NewTask, create_task
from store.enums import Via


def is_new_post(event: dict[str, object]) -> bool:
    """A top-level message typed by a person: not an edit, join, bot post or thread reply."""
    if event.get("subtype") not in (None, "file_share") or event.get("bot_id") or not event.get("user"):
        return False
    thread_ts = event.get("thread_ts")
    return thread_ts is None or thread_ts == event.get("ts")


def task_from_post(svc: Services, team_id: str, event: dict[str, object]) -> Outcome | None:
    """A task for a marketing post in a watched channel; None for everything else (stay quiet)."""
    text = str(event.get("text") or "")
    channel_id = str(event.get("channel") or "")
    if not is_new_post(event) or not is_watched(svc, team_id, channel_id):
        return None
    kind = classify(text, svc.settings.kinds)
    if kind is None:
        return None
    task = create_task(
        svc,
        NewTask(
            team_id=team_id,
            channel_id=channel_id,
            kind=kind.name,
            title=title_from(text),
            slots=kind.slots,
            posted_by=str(event["user"]),
            message_ts=str(event["ts"]),
            source=Via.MESSAGE,
        ),
    )
    return None if task is None else Outcome(reply="", task=task, quiet=True)

"""Small pieces of Dibs's wording shared by its messages: how a task is named, how a moment reads."""

from __future__ import annotations

from datetime import datetime

from bot.settings import Settings
from bot.tasks.model import snapshot
from bot.tasks.text import linked_title
from store.models import Task


def local_time(moment: datetime, settings: Settings) -> str:
    """`Tue 01 Dec 14:00 (Europe/Berlin)`: a moment as the workspace reads it."""
    return f"{moment.astimezone(settings.tz):%a %d %b %H:%M} ({settings.timezone})"


def title_of(task: Task) -> str:
    """`#12 <title, linked to its post>`."""
    return f"#{task.id} {linked_title(snapshot(task))}"


def dm_title(task: Task) -> str:
    """How a task is named in a direct message to someone who may not be in its channel: a private
    channel's title and link stay in that channel (Slack shows its name only to its members)."""
    if task.private:
        return f"#{task.id} in <#{task.channel_id}>"
    return title_of(task)

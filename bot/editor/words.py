"""Small pieces of Dibs's wording shared by its messages: how a task is named and linked, how a moment
reads, a task's owners and due date in a line."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Protocol

from bot.settings import Settings
from bot.settings.labels import kind_tag
from bot.slack.text import age, escape, people, plain, proof, then
from bot.tasks.model import TaskSnapshot, snapshot
from store.enums import TaskStatus
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


class Titled(Protocol):
    """Anything with a title and maybe a link to its post (a task, a row of the numbers)."""

    @property
    def title(self) -> str: ...

    @property
    def permalink(self) -> str | None: ...


def linked_title(task: Titled) -> str:
    """The title, linked to the task's post when Dibs knows its permalink."""
    title = escape(plain(task.title)).replace("|", "¦")  # without *bold* marks; a | would end the link's label
    return f"<{task.permalink}|{title}>" if task.permalink else title


def titled(task: Titled, mark: str = ".") -> str:
    """The linked title ending a sentence: `mark` after it, unless the title already ends with . ? ! or …"""
    return then(plain(task.title), linked_title(task), mark)


def owners_line(task: TaskSnapshot, leaving_out: str | None = None) -> str:
    """Who has a task, as `<@U…>` mentions, or the word unclaimed; then the waitlist. `leaving_out`: the
    reader, in their own Home tab ("With <@Chloe>", not themselves)."""
    owners = [u for u in task.owners if u != leaving_out]
    text = people(owners) if owners else "unclaimed"
    if task.offered:
        text += f" · offered to {people([user for user, _ in task.offered])}"
    if task.waitlist:
        text += f" · waitlist {people(task.waitlist)}"
    return text


def due_note(task: TaskSnapshot, today: date) -> str:
    """` · due Sat 12 Dec`, or an overdue warning from the day after; empty without a due date or once done."""
    if task.due_on is None or task.is_finished:
        return ""
    if today > task.due_on:
        return f" · :warning: *overdue* (due {task.due_on:%a %d %b})"
    return f" · due {task.due_on:%a %d %b}"


TITLE_LIMIT = 150  # a title in the list, on Home: cut to this many characters


def short(task: TaskSnapshot) -> TaskSnapshot:
    """The task with its title cut to `TITLE_LIMIT` characters."""
    if len(task.title) <= TITLE_LIMIT:
        return task
    return replace(task, title=task.title[: TITLE_LIMIT - 1].rstrip() + "…")


def task_name(task: TaskSnapshot, settings: Settings | None) -> str:
    """`*#12* :calendar: Event · <title>`: number, kind (its label) and the linked title, as given."""
    return f"*#{task.id}* {kind_tag(settings, task.kind)} · {linked_title(task)}"


def task_line(task: TaskSnapshot, now: datetime, today: date, settings: Settings | None = None) -> str:
    """One line of `/dibs list`: id, kind (its label), linked title, age, owners, and the due date if any."""
    line = f"• {task_name(task, settings)} · {age(task.created_at, now)} · {owners_line(task)}{due_note(task, today)}"
    if task.status == TaskStatus.DONE:
        line += " · done" + (f" ({proof(task.done_link)})" if task.done_link else "")
    elif task.status == TaskStatus.CANCELLED:
        line += " · cancelled"
    return line

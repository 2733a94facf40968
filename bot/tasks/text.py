"""How a task reads in a line of text: its linked title, its owners, its due date, its list line."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from bot.slack.text import age, escape, people, proof
from bot.tasks.model import TaskSnapshot
from store.enums import TaskStatus


class Titled(Protocol):
    """Anything with a title and maybe a link to its post (a task, a row of the numbers)."""

    @property
    def title(self) -> str: ...

    @property
    def permalink(self) -> str | None: ...


def linked_title(task: Titled) -> str:
    """The title, linked to the task's post when Dibs knows its permalink."""
    title = escape(task.title).replace("|", "¦")  # a | would end the link's label
    return f"<{task.permalink}|{title}>" if task.permalink else title


def owners_line(task: TaskSnapshot) -> str:
    """Who has a task, as `<@U…>` mentions, or the word unclaimed; then the waitlist."""
    text = people(task.owners) if task.owners else "unclaimed"
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


def task_line(task: TaskSnapshot, now: datetime, today: date) -> str:
    """One line of `/dibs list`: id, kind, linked title, age, owners, and the due date if any."""
    line = (
        f"• *#{task.id}* {task.kind} · {linked_title(task)} · {age(task.created_at, now)} · {owners_line(task)}"
        f"{due_note(task, today)}"
    )
    if task.status == TaskStatus.DONE:
        line += " · done" + (f" ({proof(task.done_link)})" if task.done_link else "")
    elif task.status == TaskStatus.CANCELLED:
        line += " · cancelled"
    return line

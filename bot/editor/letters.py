"""Direct messages: one per person per change, whatever the change did to them.

A change can touch one person several ways (a seat handed to them and its calendar entry; a seat moved away
and the entry cancelled): the editor gathers everything a transaction says to each person about each task into
one letter. A letter with a calendar entry waits `staffing.calendar_merge_within` for related changes (a
date, then the hours) and is drawn when it is sent, so those arrive as one message; words for the same person
and task while it waits join it instead of going out on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.delivery.outbox import queue_dm
from bot.editor.calendars import join_calendar, queue_calendar
from bot.editor.words import dm_title, local_time, title_of
from bot.slack.blocks import with_buttons
from bot.slack.ids import ActionId
from bot.slack.text import mention, plain, then
from bot.tasks import seats
from bot.tasks.changes import (
    CalendarChanged,
    Change,
    SeatGiven,
    SeatOffered,
    SeatTaken,
    SwapAsked,
    SwapDeclined,
)
from bot.tasks.event import when_text
from bot.tasks.tx import Tx
from store.enums import Purpose
from store.models import Task


@dataclass(frozen=True)
class Choice:
    """A question with buttons that all carry `value` (Take it / Pass, Accept / Decline)."""

    text: str
    value: str
    buttons: tuple[tuple[str, str], ...]
    purpose: Purpose
    key: str  # its dedupe key: asked once


@dataclass
class Letter:
    """What one transaction tells one person about one task."""

    task: Task
    user: str
    lines: list[str] = field(default_factory=list)
    choice: Choice | None = None  # a question with buttons (at most one a letter)
    calendar: bool | None = None  # an entry (False) or its cancellation (True) goes with it

    def send(self, tx: Tx) -> None:
        """Queue the letter: with its calendar entry, with its buttons, or as words alone."""
        team = self.task.team_id
        if self.calendar is not None:
            queue_calendar(tx, self.task, self.user, self.calendar, lead=" ".join(self.lines))
            self.lines = []
        if self.choice is not None:
            said = " ".join([*self.lines, self.choice.text])
            message = with_buttons(said, self.choice.value, *self.choice.buttons)
            queue_dm(tx, team, self.user, message, task_id=self.task.id, purpose=self.choice.purpose,
                     dedupe_key=self.choice.key)  # fmt: skip
        elif self.lines and not join_calendar(tx, self.task, self.user, " ".join(self.lines)):
            queue_dm(tx, team, self.user, " ".join(self.lines), task_id=self.task.id)


def _offer(tx: Tx, change: SeatOffered) -> Choice:
    task, settings = change.task, tx.settings_for(change.task.team_id)
    role = f" ({change.seat})" if change.seat else ""
    text = (
        f"A seat freed up on {title_of(task)}{role}, and you were first in line. It is held for you until "
        f"{local_time(change.until, settings)}: take it, or pass so the next person is asked."
    )
    buttons = (("Take it", ActionId.TAKE_OFFER), ("Pass", ActionId.PASS_OFFER))
    return Choice(
        text, str(task.id), buttons, Purpose.OFFER, f"offer:{task.id}:{change.user}:{change.until.isoformat()}"
    )


def _swap(tx: Tx, change: SwapAsked) -> Choice:
    task, swap = change.task, change.swap
    text = (
        f"{mention(swap.from_user)} asks whether you can take their {seats.seat_word(swap.seat)} on "
        f"{dm_title(task)}{when_text(task, tx.settings_for(task.team_id))}. It stays theirs until you accept."
    )
    buttons = (("Accept", ActionId.ACCEPT_SWAP), ("Decline", ActionId.DECLINE_SWAP))
    return Choice(text, str(swap.id), buttons, Purpose.SWAP, f"swap:{swap.id}")


def _given(change: SeatGiven) -> str:
    task = change.task
    match change.how:
        case "promoted":
            return f"A seat freed up on {title_of(task)}: it is yours now."
        case "handed":
            return f"{mention(change.by or '')} handed you {then(plain(task.title), title_of(task))}"
        case _:  # taken over for them by an admin or the poster
            return f"{mention(change.by or '')} gave you {mention(change.from_user or '')}'s seat on {dm_title(task)}."


def _taken(change: SeatTaken) -> str:
    task = change.task
    if change.by is not None:
        return f"{mention(change.by)} moved your seat on {dm_title(task)} to {mention(change.to_user)}."
    return f"{mention(change.to_user)} took your seat on {then(plain(task.title), title_of(task))}"


def write_letters(tx: Tx, changes: list[Change]) -> None:
    """Gather what the changes say to each person about each task, and queue one letter for each."""
    letters: dict[tuple[str, int], Letter] = {}

    def letter(task: Task, user: str) -> Letter:
        return letters.setdefault((user, task.id), Letter(task, user))

    for change in changes:
        match change:
            case SeatOffered():
                letter(change.task, change.user).choice = _offer(tx, change)
            case SwapAsked():
                letter(change.task, change.swap.to_user).choice = _swap(tx, change)
            case SeatGiven():
                letter(change.task, change.user).lines.append(_given(change))
            case SeatTaken():
                letter(change.task, change.user).lines.append(_taken(change))
            case SwapDeclined():
                letter(change.task, change.user).lines.append(
                    f"{mention(change.by)} can't take your seat on #{change.task.id}; it is still yours."
                )
            case CalendarChanged():
                letter(change.task, change.user).calendar = change.cancel
    for one in letters.values():
        one.send(tx)

"""`Outcome`: what one action on a task comes to, for the person who acted."""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.blocks import Message, text_message, with_buttons
from bot.slack.ids import ActionId
from bot.tasks.model import TaskSnapshot


@dataclass(frozen=True)
class Outcome:
    """The result of one action: `reply` for the actor; `quiet` when the thread update says it all."""

    reply: str
    task: TaskSnapshot | None = None
    quiet: bool = False
    undo: int | None = None  # the change can be undone for a few minutes: the note carries an Undo button

    def as_message(self) -> Message:
        """The answer for the person who acted, with its Undo button when it has one."""
        if self.undo is None:
            return text_message(self.reply)
        return with_buttons(self.reply, str(self.undo), ("Undo", ActionId.UNDO), primary=False)

"""Rules a person can break: each error's message is the sentence to show them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.errors import DibsError

__all__ = ["DibsError", "NeedsLink", "NotAllowed", "NotClaimer", "TaskNotFound", "UnknownKind"]

if TYPE_CHECKING:
    from bot.tasks.model import TaskSnapshot


class TaskNotFound(DibsError):
    """No task with that id in this workspace."""


class NotAllowed(DibsError):
    """The user may not do this to this task."""


class NeedsLink(DibsError):
    """This kind needs proof of done (a link) before it can be completed; `task` is the task."""

    def __init__(self, message: str, task: TaskSnapshot) -> None:
        super().__init__(message)
        self.task = task


class UnknownKind(DibsError):
    """A command named a kind the settings do not have; the message lists the kinds there are."""


class NotClaimer(NotAllowed):
    """Only a user group's members may claim this kind's tasks, and this person is not one; `task_id` is the task."""

    def __init__(self, message: str, task_id: int) -> None:
        super().__init__(message)
        self.task_id = task_id

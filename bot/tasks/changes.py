"""What changed in a transaction, as the domain records it (`Tx.changed`): plain facts about tasks and people.

The domain never decides what Dibs says; the editor (`bot.editor`) reads these before the commit and
turns them into the messages that follow: the thread reply and the channel's list brought up to date, a
person's Home tab, a direct message. Each change names the task as a row of this transaction (`Task`), so
the editor reads it as it is at the end of the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.models import Swap, Task


@dataclass(frozen=True)
class TaskChanged:
    """The task reads differently now (created, claimed, released, done, dated…); `actor` did it."""

    task: Task
    actor: str | None
    action: str


@dataclass(frozen=True)
class SeatOffered:
    """A freed seat is held for `user` until `until`: they take it or pass."""

    task: Task
    user: str
    seat: str | None
    until: datetime


@dataclass(frozen=True)
class SeatGiven:
    """`user` holds a seat now without having asked for it this moment: `how` says why (`promoted` from the
    line, `handed` over by `by`, `taken_over` from someone else by `by`)."""

    task: Task
    user: str
    how: str
    by: str | None = None
    from_user: str | None = None


@dataclass(frozen=True)
class SeatTaken:
    """`user`'s seat went to `to_user`: moved by `by` (a take-over), or taken by `to_user` (a swap accepted)."""

    task: Task
    user: str
    to_user: str
    by: str | None = None


@dataclass(frozen=True)
class SwapAsked:
    """`swap.from_user` asks `swap.to_user` to take their seat."""

    task: Task
    swap: Swap


@dataclass(frozen=True)
class SwapDeclined:
    """`by` can't take `user`'s seat: it stays theirs."""

    task: Task
    user: str
    by: str


@dataclass(frozen=True)
class CalendarChanged:
    """`user`'s calendar entry for the task is new or changed (`cancel`: it is off their calendar now)."""

    task: Task
    user: str
    cancel: bool = False


@dataclass(frozen=True)
class RosterDue:
    """The event's roster is due in its thread (`roster.before` its start)."""

    task: Task


Change = RosterDue | TaskChanged | SeatOffered | SeatGiven | SeatTaken | SwapAsked | SwapDeclined | CalendarChanged

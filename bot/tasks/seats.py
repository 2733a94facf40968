"""Seats: a task's roles (`lead: 1, staff: 2`), who holds each seat, who waits for one, who is offered one.

A task of a kind without roles has one role without a name (`None`) with `slots` seats, so plain
slots and roles follow the same rules. A seat is held by its owner, or by the person it is offered
to until they take it, pass, or the offer runs out. Pure functions of a loaded task (and its claims).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from bot.settings import MAX_SEATS, Kind
from bot.slack.text import escape, plural
from bot.tasks.errors import DibsError
from store.enums import ClaimRole
from store.models import Claim, Task

Plan = list[tuple[str | None, int]]
HOLDING = (ClaimRole.OWNER, ClaimRole.OFFERED)


def seat_plan(task: Task) -> Plan:
    """The task's roles and their seats, in order; `[(None, slots)]` for plain slots."""
    if task.roles:
        return [(str(name), int(count)) for name, count in json.loads(task.roles)]
    return [(None, task.slots)]


def set_plan(task: Task, plan: Sequence[tuple[str, int]]) -> None:
    """Give the task roles (its `slots` become their sum)."""
    task.roles = json.dumps([[name, count] for name, count in plan])
    task.slots = sum(count for _, count in plan)


def role_names(task: Task) -> list[str]:
    """The names of the task's roles (none for plain slots)."""
    return [name for name, _ in seat_plan(task) if name is not None]


def seats_of(task: Task, seat: str | None) -> int:
    """How many seats a role has."""
    return next((count for name, count in seat_plan(task) if name == seat), 0)


def holders(task: Task, seat: str | None) -> list[Claim]:
    """The owners of a role's seats and the people they are offered to, in the order they came."""
    return [c for c in task.claims if c.role in HOLDING and c.seat == seat]


def waiting(task: Task, seat: str | None) -> list[Claim]:
    """The role's waitlist, first in line first."""
    return sorted((c for c in task.claims if c.role == ClaimRole.WAITING and c.seat == seat), key=lambda c: c.id)


def free(task: Task, seat: str | None) -> int:
    """How many of a role's seats nobody holds."""
    return max(seats_of(task, seat) - len(holders(task, seat)), 0)


def free_seats(task: Task) -> int:
    """Free seats over all roles."""
    return sum(free(task, name) for name, _ in seat_plan(task))


def pick_seat(task: Task, wanted: str | None) -> str | None:
    """The role a claim goes to: the one asked for, else the first with a free seat (else the first)."""
    plan = seat_plan(task)
    if wanted is None:
        return next((name for name, _ in plan if free(task, name) > 0), plan[0][0])
    names = role_names(task)
    if not names:
        seats = plural(task.slots, "seat")
        raise DibsError(f"#{task.id} has no roles, only {seats}: `/dibs claim {task.id}` takes one.")
    if wanted not in names:
        raise DibsError(f"#{task.id} has no role `{escape(wanted[:40])}`; its roles are {', '.join(names)}.")
    return wanted


def seat_word(seat: str | None) -> str:
    """`staff seat`, or `seat` for plain slots."""
    return f"{seat} seat" if seat else "seat"


def describe(seat: str | None) -> str:
    """`a staff seat`, or `a seat` for plain slots."""
    return f"a {seat_word(seat)}"


def seats_from_text(kind: Kind, text: str) -> list[tuple[str, int]]:
    """The kind's roles, with counts a post or `/dibs new` overrides ("booth … 3 staff"); [] without roles."""
    plan = []
    for name, count in kind.roles:
        found = re.search(r"(?<![\w-])(\d{1,2})\s+" + re.escape(name) + r"s?\b", text, flags=re.IGNORECASE)
        wanted = int(found.group(1)) if found else count
        plan.append((name, min(max(wanted, 1), MAX_SEATS)))
    return plan

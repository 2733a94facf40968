"""What services return about a task: plain, frozen data that views and handlers can use freely."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.tasks.seats import seat_plan
from store.enums import FINISHED, ClaimRole, TaskStatus
from store.models import Claim, Task


@dataclass(frozen=True)
class Seating:
    """One role of a task: its seats, who holds them (owners, and people a freed seat is offered to until
    when), who waits. `name` is None for plain slots."""

    name: str | None
    seats: int
    owners: tuple[str, ...]
    offered: tuple[tuple[str, datetime], ...]
    waiting: tuple[str, ...]
    placed_by: tuple[tuple[str, str], ...] = ()  # (owner, who put them there) when it was not themselves

    @property
    def free(self) -> int:
        """Seats nobody holds."""
        return max(self.seats - len(self.owners) - len(self.offered), 0)


@dataclass(frozen=True)
class TaskSnapshot:
    """What a task looks like after a change: everything views and handlers need."""

    id: int
    team_id: str
    channel_id: str
    kind: str
    title: str
    status: TaskStatus
    slots: int
    posted_by: str
    source: str
    message_ts: str | None  # None until Dibs's own announcement is posted
    reply_ts: str | None
    permalink: str | None
    done_link: str | None
    created_at: datetime
    claimed_at: datetime | None
    done_at: datetime | None
    owners: tuple[str, ...]
    waitlist: tuple[str, ...]
    version: int
    done_by: str | None
    due_on: date | None = None
    snoozed_until: datetime | None = None
    nominee: str | None = None  # rotation: fair: who Dibs asked privately to take it
    nominee_note: str | None = None  # who was passed over as away, as the thread says it
    seating: tuple[Seating, ...] = ()
    event_start: datetime | None = None
    event_end: datetime | None = None
    place: str | None = None
    undo: int | None = None  # the Undo button of the change this snapshot was taken after, if it has one
    reminded: bool = False  # still reminded about, and at least once already (the channel's list says it waits)

    @property
    def has_roles(self) -> bool:
        """Its seats are split into named roles (lead, staff) rather than plain slots."""
        return any(s.name is not None for s in self.seating)

    @property
    def seats_shown(self) -> tuple[Seating, ...]:
        """Its roles; a snapshot made by hand without them reads as one plain role of its owners and line."""
        return self.seating or (Seating(None, self.slots, self.owners, (), self.waitlist),)

    @property
    def offered(self) -> tuple[tuple[str, datetime], ...]:
        """People a freed seat is held for, and until when."""
        return tuple(o for s in self.seating for o in s.offered)

    @property
    def is_finished(self) -> bool:
        """Done or cancelled: nothing more to do."""
        return self.status in FINISHED

    @property
    def free_slots(self) -> int:
        """How many more owners it takes (seats held for someone offered them are not free)."""
        return max(self.slots - len(self.owners) - len(self.offered), 0)


@dataclass(frozen=True)
class ClaimResult:
    """What a claim did."""

    task: TaskSnapshot
    outcome: Literal["claimed", "waitlisted", "already_owner", "already_waiting"]
    seat: str | None = None
    undo: int | None = None  # the Undo button's id


@dataclass(frozen=True)
class ReleaseResult:
    """What a release did, and who got the freed slot."""

    task: TaskSnapshot
    outcome: Literal["released", "left_waitlist", "not_claimed"]
    promoted: str | None = None  # who was offered (or given) the freed seat
    undo: int | None = None


@dataclass(frozen=True)
class AssignResult:
    """A hand-over; `replaced` is the owner who gave up their slot, if one did."""

    task: TaskSnapshot
    replaced: str | None
    undo: int | None = None


def _seating(task: Task) -> tuple[Seating, ...]:
    def of(name: str | None, role: ClaimRole) -> list[Claim]:
        # In the order they came: a claim not yet written (no id) is the newest.
        return sorted((c for c in task.claims if c.seat == name and c.role == role), key=lambda c: (c.id is None, c.id))

    return tuple(
        Seating(
            name=name,
            seats=count,
            owners=tuple(c.user_id for c in of(name, ClaimRole.OWNER)),
            offered=tuple((c.user_id, c.offered_until) for c in of(name, ClaimRole.OFFERED) if c.offered_until),
            waiting=tuple(c.user_id for c in of(name, ClaimRole.WAITING)),
            placed_by=tuple((c.user_id, c.placed_by) for c in of(name, ClaimRole.OWNER) if c.placed_by),
        )
        for name, count in seat_plan(task)
    )


def snapshot(task: Task) -> TaskSnapshot:
    """Freeze a loaded task (with its claims) into plain data."""
    return TaskSnapshot(
        id=task.id,
        team_id=task.team_id,
        channel_id=task.channel_id,
        kind=task.kind,
        title=task.title,
        status=TaskStatus(task.status),
        slots=task.slots,
        posted_by=task.posted_by,
        source=task.source,
        message_ts=task.message_ts,
        reply_ts=task.reply_ts,
        permalink=task.permalink,
        done_link=task.done_link,
        created_at=task.created_at,
        claimed_at=task.claimed_at,
        done_at=task.done_at,
        owners=tuple(c.user_id for c in task.claims if c.role == ClaimRole.OWNER),
        waitlist=tuple(c.user_id for c in task.claims if c.role == ClaimRole.WAITING),
        version=task.version,
        done_by=task.done_by,
        due_on=task.due_on,
        snoozed_until=task.snoozed_until,
        nominee=task.nominee,
        nominee_note=task.nominee_note,
        seating=_seating(task),
        event_start=task.event_start,
        event_end=task.event_end,
        place=task.place,
        reminded=task.nags_sent > 0 and task.next_nag_at is not None,
    )

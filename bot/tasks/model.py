"""What services return about a task: plain, frozen data that views and handlers can use freely."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from store.enums import FINISHED, ClaimRole, TaskStatus
from store.models import Task


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

    @property
    def is_finished(self) -> bool:
        """Done or cancelled: nothing more to do."""
        return self.status in FINISHED

    @property
    def free_slots(self) -> int:
        """How many more owners it takes."""
        return max(self.slots - len(self.owners), 0)


@dataclass(frozen=True)
class ClaimResult:
    """What a claim did."""

    task: TaskSnapshot
    outcome: Literal["claimed", "waitlisted", "already_owner", "already_waiting"]


@dataclass(frozen=True)
class ReleaseResult:
    """What a release did, and who got the freed slot."""

    task: TaskSnapshot
    outcome: Literal["released", "left_waitlist", "not_claimed"]
    promoted: str | None = None


@dataclass(frozen=True)
class AssignResult:
    """A hand-over; `replaced` is the owner who gave up their slot, if one did."""

    task: TaskSnapshot
    replaced: str | None


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
    )

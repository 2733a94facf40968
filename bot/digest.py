"""The daily digest: what is open, taken, overdue and done in one channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.tasks import TaskSnapshot


@dataclass(frozen=True)
class DigestData:
    """Everything one channel's digest shows, gathered from the database at one moment."""

    channel_id: str
    day: date  # the local day the digest is for
    unclaimed: list[TaskSnapshot]  # oldest first
    unclaimed_total: int
    taken: list[TaskSnapshot]  # claimed, not done, oldest first
    taken_total: int
    overdue: list[TaskSnapshot]  # not done, due date before `day`
    overdue_total: int
    done: list[TaskSnapshot]  # done since the last digest, newest first
    done_total: int
    median_time_to_claim: timedelta | None  # over tasks first claimed in the last 7 days
    folded: list[str]  # reminders held back by the noise budget, as mrkdwn lines

    @property
    def is_empty(self) -> bool:
        return not (self.unclaimed_total or self.taken_total or self.overdue_total or self.done_total or self.folded)

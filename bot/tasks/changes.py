"""What changed in a transaction, as the domain records it (`Tx.changed`): plain facts about tasks and people.

The domain never decides what Dibs says; the editor (`bot.editor`) reads these before the commit and
turns them into the messages that follow: the thread reply and the channel's list brought up to date, a
person's Home tab, a direct message. Each change names the task as a row of this transaction (`Task`), so
the editor reads it as it is at the end of the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

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
class WelcomeBack:
    """`user` is back: what passed them by while they were away. Each notice: the task, how they were away
    ("out of office"), and whether they are still in its line."""

    team_id: str
    user: str
    notices: tuple[tuple[Task, str, bool], ...]


@dataclass(frozen=True)
class CalendarChanged:
    """`user`'s calendar entry for the task is new or changed (`cancel`: it is off their calendar now)."""

    task: Task
    user: str
    cancel: bool = False


@dataclass(frozen=True)
class Announced:
    """A task Dibs announces itself (a feed item, a webhook, `/dibs new`, a missed gift): its post goes up,
    then its thread. `headline` (mrkdwn, its typed parts escaped) with `details` quoted and a link to `url`;
    without a headline, the way `/dibs new` announces a task."""

    task: Task
    headline: str | None = None
    details: str | None = None
    url: str | None = None
    response_url: str | None = None  # whoever asked hears if the post can never be made


@dataclass(frozen=True)
class EventMoved:
    """The team's calendar moved the task's event (its day, hours or place are new), or `cancelled` it: the
    task's thread hears of it."""

    task: Task
    cancelled: bool = False


@dataclass(frozen=True)
class ChannelWatched:
    """Dibs watches the channel now; it joins it (public channels) so it sees the posts."""

    team_id: str
    channel_id: str
    user_id: str
    response_url: str | None = None


@dataclass(frozen=True)
class FileShared:
    """A file shared in a gift campaign's thread: read back after the ack (`key`: once per post)."""

    task: Task
    user_id: str
    file_id: str
    thread_ts: str
    key: str


@dataclass(frozen=True)
class RosterDue:
    """The event's roster is due in its thread (`roster.before` its start)."""

    task: Task


@dataclass(frozen=True)
class Reminded:
    """The task is due for a reminder: unclaimed since `since` (or, after its roster, an event with `free`
    seats); `step` says how loud (0 plain, 1 calls the owner group, 2 the poster is told too)."""

    task: Task
    step: int
    since: datetime
    free: int = 0


@dataclass(frozen=True)
class PosterNudged:
    """Nobody took the task since `since`: the person who posted it hears of it (`within` their ping budget;
    past it, the line waits for the channel's next morning edition)."""

    task: Task
    since: datetime
    within: bool


@dataclass(frozen=True)
class DueSoon:
    """The task's due date is near (its `step`-th reminder): `pinged` owners are told, `held` ones (past their
    ping budget) see it in the next morning edition."""

    task: Task
    step: int
    pinged: tuple[str, ...]
    held: tuple[str, ...]


@dataclass(frozen=True)
class StaleNudged:
    """`owner` took the task at `took_at` and nobody changed it since: "still on it?" (`within` their budget)."""

    task: Task
    owner: str
    took_at: datetime
    key: str
    within: bool


@dataclass(frozen=True)
class NomineeWanted:
    """`rotation: fair`: someone should be asked privately to take the task (once per `round`)."""

    task: Task
    round: str


@dataclass(frozen=True)
class EditionDue:
    """The channel's morning edition for `day`: what happened since `since`, the week's numbers and chart
    (the week's first edition), the pings held back for it."""

    team_id: str
    channel_id: str
    day: date
    since: datetime
    week: Any = None  # the week's numbers (`bot.insight.weekly.WeekInNumbers`), on the week's first edition
    held: tuple[str, ...] = ()
    when_empty: str = "one_line"
    chart: list[dict[str, Any]] | None = None  # the chart's series (`bot.insight.chart.series_args`)
    asked: bool = False  # someone asked for it (`/dibs digest`): it moves even inside the quiet window


Change = (
    Announced
    | ChannelWatched
    | FileShared
    | RosterDue
    | TaskChanged
    | Reminded
    | PosterNudged
    | DueSoon
    | StaleNudged
    | NomineeWanted
    | EditionDue
    | SeatOffered
    | SeatGiven
    | SeatTaken
    | SwapAsked
    | SwapDeclined
    | CalendarChanged
    | WelcomeBack
    | EventMoved
)

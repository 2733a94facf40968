"""The typed `/dibs` commands: one dataclass per subcommand, and `Command`, their union.

`bot.slack.command_parser.parse_command` turns the text after `/dibs` into one; a handler dispatches
on it with `match`. Text Dibs cannot understand raises `UsageError`, whose message says in one sentence
what was wrong and the one form that works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from bot.errors import DibsError
from store.queries.tasks import ListFilter


class UsageError(DibsError):
    """The command text does not say something Dibs understands; the answer is the message alone (no help)."""


@dataclass(frozen=True)
class Help:
    """`/dibs help` (or nothing): what Dibs does and the commands used most; `/dibs help all`: every command."""

    all: bool = False


@dataclass(frozen=True)
class Watch:
    """`/dibs watch`: posts in this channel become tasks."""


@dataclass(frozen=True)
class Unwatch:
    """`/dibs unwatch`."""


@dataclass(frozen=True)
class Mute:
    """`/dibs mute` (muted) or `/dibs unmute`: reminders in this channel."""

    muted: bool


@dataclass(frozen=True)
class NewTask:
    """`/dibs new KIND TITLE`."""

    kind: str
    title: str


@dataclass(frozen=True)
class ListTasks:
    """`/dibs list [unclaimed|mine|all] [KIND]`."""

    filter: ListFilter
    kind: str | None = None


@dataclass(frozen=True)
class ListFeeds:
    """`/dibs feeds`: this channel's feeds and how their last polls went."""


@dataclass(frozen=True)
class AddFeed:
    """`/dibs feed add URL [KIND]`."""

    url: str
    kind: str = "blog_comment"


@dataclass(frozen=True)
class RemoveFeed:
    """`/dibs feed remove URL`."""

    url: str


@dataclass(frozen=True)
class ListCalendars:
    """`/dibs calendars` (or `/dibs calendar list`): this channel's team calendars and how their reads went."""


@dataclass(frozen=True)
class AddCalendar:
    """`/dibs calendar add URL [KIND] [match WORDS]`: the calendar's new events announced here."""

    url: str
    kind: str = "event"
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemoveCalendar:
    """`/dibs calendar remove ID`."""

    calendar_id: int


@dataclass(frozen=True)
class Route:
    """`/dibs route KIND @group` (or `none`): which user group owns a kind in this workspace; with `claimers`,
    which user group may claim its tasks."""

    kind: str
    group: str | None
    claimers: bool = False


@dataclass(frozen=True)
class ShowSettings:
    """`/dibs settings`: this workspace's time zone, working hours and digest time, and where each comes from."""


@dataclass(frozen=True)
class ChangeSetting:
    """`/dibs settings KEY VALUE` (or `default`: `value` is None, back to the settings file's)."""

    key: str
    value: str | None


@dataclass(frozen=True)
class KindPhrase:
    """`/dibs settings phrase KIND "words"`: posts with the words are the kind's here (`add`); `dismiss`
    (not `add`): the words are not, and are not suggested again."""

    kind: str
    words: str
    add: bool


@dataclass(frozen=True)
class Gifts:
    """`/dibs gift ID`: a campaign's recipients, with buttons."""

    task_id: int


@dataclass(frozen=True)
class MarkGift:
    """`/dibs gift ID delivered NAME` or `/dibs gift ID missed NAME`."""

    task_id: int
    state: str
    name: str


@dataclass(frozen=True)
class LinkGifts:
    """`/dibs gift ID link goody:BATCH_ID` (or `sendoso:CAMPAIGN_ID`): that batch's webhooks mark this campaign."""

    task_id: int
    source: str
    batch_id: str


@dataclass(frozen=True)
class Claim:
    """`/dibs claim ID [ROLE]`."""

    task_id: int
    seat: str | None = None


@dataclass(frozen=True)
class Roles:
    """`/dibs roles ID staff=3 lead=1`: the seats of an event's roles."""

    task_id: int
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class When:
    """`/dibs when ID DATE [09:00-17:00|9am-5pm] [at PLACE]`: the event's day (its words as written, like
    `Jan 20` or `next Friday`, read where the workspace's today is known: `date_commands.day_from`), hours, place."""

    task_id: int
    day: str
    hours: tuple[time, time] | None = None
    place: str | None = None


@dataclass(frozen=True)
class Swap:
    """`/dibs swap ID @someone` (ask them to take your seat), or `/dibs swap ID @from @to` (move a seat:
    admins and the poster)."""

    task_id: int
    to_user: str
    from_user: str | None = None


@dataclass(frozen=True)
class Release:
    """`/dibs release ID`."""

    task_id: int


@dataclass(frozen=True)
class Done:
    """`/dibs done ID [LINK]`."""

    task_id: int
    proof: str | None


@dataclass(frozen=True)
class Assign:
    """`/dibs assign ID @someone`."""

    task_id: int
    user_id: str


@dataclass(frozen=True)
class Snooze:
    """`/dibs snooze ID 2d`."""

    task_id: int
    pause: timedelta


@dataclass(frozen=True)
class SetDue:
    """`/dibs due ID DATE`: the date's words as written (`Jan 20`, `next Friday`, `2026-12-12`), read where the
    workspace's today is known (`date_commands.day_from`); `none`: `due` is None, the due date is cleared."""

    task_id: int
    due: str | None


@dataclass(frozen=True)
class Digest:
    """`/dibs digest [preview]`."""

    preview: bool


@dataclass(frozen=True)
class Stats:
    """`/dibs stats [7d|30d|90d] [all] [detail]`: this channel's numbers (or the workspace's), privately, in
    sentences; `detail` shows every number (medians, percentiles, reminders, owner groups)."""

    days: int = 30
    everywhere: bool = False
    detail: bool = False


@dataclass(frozen=True)
class Export:
    """`/dibs export [7d|30d|90d|all] [here]`: a CSV of the tasks and their audit trail, privately."""

    days: int | None = 30  # None: everything
    here_only: bool = False


Command = (
    Help | Watch | Unwatch | Mute | NewTask | ListTasks | Claim | Release | Done | Assign | Snooze | SetDue | Digest
    | ListFeeds | AddFeed | RemoveFeed | Route | Gifts | MarkGift | Stats | Export | ShowSettings | ChangeSetting
    | ListCalendars | AddCalendar | RemoveCalendar
    | LinkGifts | KindPhrase | Roles | When | Swap
)  # fmt: skip

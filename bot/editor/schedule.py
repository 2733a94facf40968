"""What the schedule's findings sound like: reminders move the channel's list (never a thread reply per task),
the morning edition is that list's first move of the day, and the private pings (the poster, owners before a
due date, "still on it?", a nominee) go where they always went. Pings over a person's daily budget are held
back for the channel's next morning edition.
"""

from __future__ import annotations

from collections import defaultdict

from bot.delivery.outbox import queue_call
from bot.editor.lists import Edition, move_list
from bot.ownership.nominee import queue_nomination
from bot.reminders.policy import Step, local_day
from bot.reminders.stale_view import build_stale_nudge, held_nudge_text
from bot.reminders.texts import due_text, poster_dm_text
from bot.tasks.changes import Change, DueSoon, EditionDue, NomineeWanted, PosterNudged, Reminded, StaleNudged
from bot.tasks.model import snapshot
from bot.tasks.routing import kind_for
from bot.tasks.text import linked_title
from bot.tasks.tx import Tx
from store.enums import PostState, Purpose


def _mention(tx: Tx, due: list[Reminded]) -> str | None:
    """Who a reminder calls: the owner groups of the kinds that escalated, or @here for kinds without one."""
    loud = [c for c in due if c.step >= Step.MENTION_GROUP]
    called: list[str] = []
    for change in loud:
        kind = kind_for(tx.session, tx.settings, change.task.team_id, change.task.kind)
        who = f"<!subteam^{kind.owner_group}>" if kind and kind.owner_group else "<!here>"
        if who not in called:
            called.append(who)
    return " ".join(called) or None


def _remind(tx: Tx, reminded: list[Reminded]) -> None:
    by_channel: dict[tuple[str, str], list[Reminded]] = defaultdict(list)
    for change in reminded:
        by_channel[(change.task.team_id, change.task.channel_id)].append(change)
    for (team_id, channel_id), due in by_channel.items():
        move_list(tx, team_id, channel_id, {c.task.id: bool(c.free) for c in due}, _mention(tx, due))


def _edition(tx: Tx, change: EditionDue) -> None:
    edition = Edition(change.day, change.since, list(change.weekly), list(change.held), change.when_empty)
    move_list(tx, change.team_id, change.channel_id, edition=edition, force=change.asked)
    if change.chart is not None:
        queue_call(
            tx, team_id=change.team_id, channel_id=change.channel_id, purpose=Purpose.CHART,
            method="files.upload_v2", text="The last 8 weeks", args={"series": change.chart, "day": change.day.isoformat()},
            dedupe_key=f"chart:{change.team_id}:{change.channel_id}:{change.day}",
        )  # fmt: skip


def _poster(tx: Tx, change: PosterNudged) -> None:
    task = change.task
    text = poster_dm_text(task.id, linked_title(snapshot(task)), task.channel_id, change.since, tx.now)
    queue_call(
        tx, team_id=task.team_id, channel_id=task.posted_by, recipient=task.posted_by, text=text,
        purpose=Purpose.POSTER_DM, task_id=task.id, dedupe_key=f"poster:{task.id}:{change.since.isoformat()}",
        state=PostState.PENDING if change.within else PostState.FOLDED,
    )  # fmt: skip


def _due(tx: Tx, change: DueSoon) -> None:
    task = change.task
    assert task.due_on is not None
    today = local_day(tx.now, tx.settings_for(task.team_id))
    for who, state, key, thread_ts in (
        (change.pinged, PostState.PENDING, "due", task.message_ts),
        (change.held, PostState.FOLDED, "due-held", None),
    ):
        if who:
            queue_call(
                tx, team_id=task.team_id, channel_id=task.channel_id, task_id=task.id, purpose=Purpose.DUE,
                thread_ts=thread_ts, text=due_text(task.id, who, task.due_on, today), state=state,
                dedupe_key=f"{key}:{task.id}:{change.step}:{task.due_on}",
            )  # fmt: skip


def _stale(tx: Tx, change: StaleNudged) -> None:
    task, owner = change.task, change.owner
    shown = snapshot(task)
    if change.within:
        message = build_stale_nudge(shown, change.took_at, tx.now)
        blocks, text = [b.to_dict() for b in message.blocks], message.text
    else:
        blocks, text = None, held_nudge_text(shown, owner, change.took_at, tx.now)
    queue_call(
        tx, team_id=task.team_id, channel_id=owner, recipient=owner, purpose=Purpose.STALE, task_id=task.id,
        text=text, blocks=blocks, dedupe_key=change.key, state=PostState.PENDING if change.within else PostState.FOLDED,
    )  # fmt: skip


def write_schedule(tx: Tx, changes: list[Change]) -> None:
    """Say what the schedule found: editions first (a reminder due with one rides on it), then reminders."""
    for change in changes:
        if isinstance(change, EditionDue):
            _edition(tx, change)
    reminded = [c for c in changes if isinstance(c, Reminded)]
    if reminded:
        _remind(tx, reminded)
    for change in changes:
        match change:
            case PosterNudged():
                _poster(tx, change)
            case DueSoon():
                _due(tx, change)
            case StaleNudged():
                _stale(tx, change)
            case NomineeWanted():
                queue_nomination(tx, change.task, change.round)

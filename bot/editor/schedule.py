"""What the schedule's findings sound like: reminders move the channel's list (never a thread reply per task),
the morning edition is that list's first move of the day, and the private pings (the poster, owners before a
due date, "still on it?", a nominee) go where they always went. Pings over a person's daily budget are held
back for the channel's next morning edition.
"""

from __future__ import annotations

from collections import defaultdict

from bot.delivery.outbox import queue_call
from bot.editor.insight_view import weekly_lines
from bot.editor.lists import Edition, move_list
from bot.editor.nominee import queue_nomination
from bot.editor.stale_view import build_stale_nudges, held_nudge_text
from bot.editor.texts import due_text, posters_dm_text
from bot.editor.words import linked_title
from bot.tasks.changes import Change, DueSoon, EditionDue, NomineeWanted, PosterNudged, Reminded, StaleNudged
from bot.tasks.model import snapshot
from bot.tasks.routing import kind_for
from bot.tasks.tx import Tx
from bot.timing import Step, local_day
from store.enums import PostState, Purpose


def _mention(tx: Tx, due: list[Reminded]) -> str | None:
    """Who a reminder calls: the owner groups of the kinds that escalated, or @here for kinds without one."""
    loud = [c for c in due if c.step >= Step.MENTION_GROUP]
    called: list[str] = []
    for change in loud:
        kind = kind_for(tx.session, tx.settings, change.task.team_id, change.task.kind, tx.memo)
        who = f"<!subteam^{kind.owner_group}>" if kind and kind.owner_group else "<!here>"
        if who not in called:
            called.append(who)
    return " ".join(called) or None


def _remind(tx: Tx, reminded: list[Reminded]) -> None:
    by_channel: dict[tuple[str, str], list[Reminded]] = defaultdict(list)
    for change in reminded:
        by_channel[(change.task.team_id, change.task.channel_id)].append(change)
    for (team_id, channel_id), due in by_channel.items():
        move_list(tx, team_id, channel_id, _mention(tx, due))


def _edition(tx: Tx, change: EditionDue) -> None:
    weekly = weekly_lines(change.week.week, change.week.before, tx.settings) if change.week is not None else []
    edition = Edition(change.day, change.since, weekly, list(change.held), change.when_empty)
    move_list(tx, change.team_id, change.channel_id, edition=edition, force=change.asked)
    if change.chart is not None:
        queue_call(
            tx, team_id=change.team_id, channel_id=change.channel_id, purpose=Purpose.CHART,
            method="files.upload_v2", text="The last 8 weeks",
            args={"series": change.chart, "day": change.day.isoformat()},
            dedupe_key=f"chart:{change.team_id}:{change.channel_id}:{change.day}",
        )  # fmt: skip


def _posters(tx: Tx, nudged: list[PosterNudged]) -> None:
    """The people whose follow-ups nobody took: one message each, however many reached that step together."""
    by_poster: dict[tuple[str, str, bool], list[PosterNudged]] = defaultdict(list)
    for change in nudged:
        by_poster[(change.task.team_id, change.task.posted_by, change.within)].append(change)
    for (team_id, poster, within), changes in by_poster.items():
        waiting = [(c.task.id, linked_title(snapshot(c.task)), c.task.channel_id, c.since) for c in changes]
        key = "poster:" + ",".join(f"{c.task.id}@{c.since:%Y%m%d%H%M}" for c in changes)
        queue_call(
            tx, team_id=team_id, channel_id=poster, recipient=poster, text=posters_dm_text(waiting, tx.now),
            purpose=Purpose.POSTER_DM, task_id=changes[0].task.id if len(changes) == 1 else None,
            dedupe_key=key, state=PostState.PENDING if within else PostState.FOLDED,
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


def _stale(tx: Tx, nudged: list[StaleNudged]) -> None:
    """ "Still on it?": one DM per owner, however many of their claims went quiet together; over their budget,
    a line each held back for the next morning edition."""
    asked: dict[tuple[str, str], list[StaleNudged]] = defaultdict(list)
    for change in nudged:
        task = change.task
        if change.within:
            asked[(task.team_id, change.owner)].append(change)
            continue
        queue_call(
            tx, team_id=task.team_id, channel_id=change.owner, recipient=change.owner, purpose=Purpose.STALE,
            task_id=task.id, text=held_nudge_text(snapshot(task), change.owner, change.took_at, tx.now),
            dedupe_key=change.key, state=PostState.FOLDED,
        )  # fmt: skip
    for (team_id, owner), changes in asked.items():
        message = build_stale_nudges([(snapshot(c.task), c.took_at) for c in changes], tx.now)
        queue_call(
            tx, team_id=team_id, channel_id=owner, recipient=owner, purpose=Purpose.STALE,
            task_id=changes[0].task.id if len(changes) == 1 else None, text=message.text,
            blocks=[b.to_dict() for b in message.blocks], dedupe_key="+".join(c.key for c in changes)[:120],
        )  # fmt: skip


def write_schedule(tx: Tx, changes: list[Change]) -> None:
    """Say what the schedule found: editions first (a reminder due with one rides on it), then reminders."""
    for change in changes:
        if isinstance(change, EditionDue):
            _edition(tx, change)
    reminded = [c for c in changes if isinstance(c, Reminded)]
    if reminded:
        _remind(tx, reminded)
    nudged = [c for c in changes if isinstance(c, PosterNudged)]
    if nudged:
        _posters(tx, nudged)
    quiet = [c for c in changes if isinstance(c, StaleNudged)]
    if quiet:
        _stale(tx, quiet)
    for change in changes:
        match change:
            case DueSoon():
                _due(tx, change)
            case NomineeWanted():
                queue_nomination(tx, change.task, change.round)

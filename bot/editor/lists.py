"""A channel's standing list of open follow-ups: one kept message, so a channel never holds two lists.

It is posted the first time a reminder or the morning edition is due in the channel, then updated in place
whenever a follow-up there changes (opened, claimed, released, done…): many changes within Slack's pace make
one call, drawn as it is sent. A reminder or the morning edition *moves* it: Dibs posts it anew at the bottom
of the channel, saying what changed (and calling the owner group or @here once a day at most), and deletes the
one before. Moves come at most once per `digest.quiet_window`; a reminder inside the window updates the list in
place instead, so a morning edition and a reminder due together are one message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.delivery.calls import Call
from bot.delivery.failures import Failure
from bot.delivery.outbox import queue_call
from bot.digest.collect import DigestData, collect_digest
from bot.editor.list_view import build_digest
from bot.tasks.model import TaskSnapshot
from bot.tasks.tx import Tx
from bot.timing import local_day
from store.enums import Purpose
from store.models import ChannelList, OutboxPost
from store.queries.lists import channel_list, has_list, list_for_update

if TYPE_CHECKING:
    from bot.services import Services

METADATA_TYPE = "dibs_list"
SHOWN_IN_NOTE = 5  # a reminder names this many follow-ups, then says how many more


@dataclass(frozen=True)
class Edition:
    """The morning edition: its day, what "since the last list" counts from, the week's numbers (the week's
    first edition) and the pings held back for it."""

    day: date
    since: datetime
    weekly: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    when_empty: str = "one_line"


def _queue(tx: Tx, kept: ChannelList) -> None:
    """One row brings the list up to date (none while one is queued)."""
    if kept.queued:
        return
    kept.queued = True
    queue_call(
        tx, team_id=kept.team_id, channel_id=kept.channel_id, purpose=Purpose.LIST,
        args={"team": kept.team_id, "channel": kept.channel_id},
        dedupe_key=f"list:{kept.team_id}:{kept.channel_id}:{kept.version}",
    )  # fmt: skip


def list_changed(tx: Tx, team_id: str, channel_id: str) -> None:
    """A follow-up of the channel changed: its list (if it has one up) is brought up to date in place."""
    if tx.memo is not None and not tx.memo.get(
        ("list", team_id, channel_id), lambda: has_list(tx.session, team_id, channel_id)
    ):
        return  # most channels have none: kept a moment per bot (a move in this process forgets it)
    kept = channel_list(tx.session, team_id, channel_id)
    if kept is None or kept.ts is None:
        return
    kept.version += 1
    _queue(tx, kept)


def move_list(
    tx: Tx, team_id: str, channel_id: str, mention: str | None = None, edition: Edition | None = None,
    force: bool = False,
) -> bool:  # fmt: skip
    """A reminder (or the morning edition) is due: the list moves to the bottom of the
    channel, saying what is still waiting and calling `mention` (at most once a day); inside the quiet window (for a
    reminder: within `nag.every` of the last move) it is updated in place instead (unless `force`: someone asked
    for it). Returns whether it moves."""
    settings = tx.settings_for(team_id)
    kept = list_for_update(tx.session, team_id, channel_id)
    # The morning edition may move the list once the quiet window is over; a reminder only once the channel's
    # reminder rhythm (`nag.every`) has come round too, so new follow-ups' first reminders say it in place.
    spacing = settings.digest.quiet_window if edition else max(settings.digest.quiet_window, settings.nag.every)
    quiet = kept.moved_at is not None and tx.now - kept.moved_at < spacing
    moves = force or kept.ts is None or not quiet
    today = local_day(tx.now, settings)
    if moves and mention and kept.mentioned_on != today:
        kept.mention, kept.mentioned_on = mention, today
    extra = json.loads(kept.extra or "{}")
    kept.since = kept.since or tx.now  # "done since the last list": since this one first went up
    if edition is not None:
        kept.edition_day, kept.since = edition.day, edition.since
        extra = {"weekly": edition.weekly, "held": edition.held, "when_empty": edition.when_empty}
    extra["edition_move"] = bool(extra.get("edition_move") and kept.move) or (edition is not None and moves)
    kept.extra = json.dumps(extra)
    kept.move = kept.move or moves
    kept.version += 1
    _queue(tx, kept)
    return moves


def _still_waiting(data: DigestData) -> list[TaskSnapshot]:
    """The follow-ups still waiting for someone after their first reminder (unclaimed, or an event's free seats
    after its roster)."""
    waiting = [t for t in data.unclaimed if t.reminded] + [t for t in data.taken if t.reminded and t.free_slots]
    return sorted(waiting, key=lambda t: t.id)


def reminder_note(waiting: list[TaskSnapshot]) -> str:
    """What a reminder says on top of the moved list: `:bell: Still waiting for someone: #12, #14 (2 free seats).`"""
    named = [
        f"#{t.id}" + (f" ({t.free_slots} free seat{'s' if t.free_slots != 1 else ''})" if t.owners else "")
        for t in waiting[:SHOWN_IN_NOTE]
    ]
    more = f" and {len(waiting) - SHOWN_IN_NOTE} more" if len(waiting) > SHOWN_IN_NOTE else ""
    return f":bell: Still waiting for someone: {', '.join(named)}{more}."


def drawn_list(svc: Services, team_id: str, channel_id: str, now: datetime) -> tuple[ChannelList, bool, Any] | None:
    """The list row, whether this send moves it, and its message as it should read now (None: nothing to send:
    a quiet day's edition skipped, or a reminder whose tasks were all taken before it went)."""
    with svc.read() as session:
        kept = channel_list(session, team_id, channel_id)
        if kept is None:
            return None
        here = svc.settings_for(team_id, session)
        extra = json.loads(kept.extra or "{}")
        since = kept.since or now
        data = collect_digest(session, here, team_id, channel_id, now, since, take_held=False, read_held=False)
    on_its_day = kept.edition_day is not None and kept.edition_day == local_day(now, here)
    # The week's numbers belong to the week's first edition: a later day's move or update leaves them out.
    weekly = list(extra.get("weekly") or []) if on_its_day else []
    data = replace(data, weekly=weekly, folded=list(extra.get("held") or []))
    waiting = _still_waiting(data)
    moves = (kept.move or kept.ts is None) and bool(waiting or extra.get("edition_move"))
    if kept.ts is None and not moves:
        return None  # its reminder went moot before it was ever posted
    said = (kept.mention if moves else None, reminder_note(waiting) if waiting else None)
    lead = " ".join(part for part in said if part)
    edition = kept.edition_day if on_its_day else None
    # Only a move may be skipped on a quiet day (`digest.when_empty: skip`); a list that is up always tells the truth.
    when_empty = str(extra.get("when_empty") or "one_line") if moves else "one_line"
    message = build_digest(data, now, when_empty, edition=edition, note=lead or None)
    return (kept, moves, message) if message is not None else None


def list_call(svc: Services, client: WebClient, call: Call, now: datetime) -> Call | None:
    """The list as it should read now: posted anew at the bottom (a move, or the first time), else updated in
    place (a Prepare)."""
    drawn = drawn_list(svc, call.team_id, call.channel_id, now)
    if drawn is None:
        return None
    kept, moves, message = drawn
    meta = {"version": kept.version, "old_ts": kept.ts, "moved": moves}
    if moves:
        payload = {"event_type": METADATA_TYPE, "event_payload": {"channel": kept.channel_id}}
        kwargs = {"channel": kept.channel_id, "unfurl_links": False, "metadata": payload, **message.as_kwargs()}
        return replace(call, method="chat.postMessage", kwargs=kwargs, meta=meta)
    kwargs = {"channel": kept.channel_id, "ts": kept.ts, **message.as_kwargs()}
    return replace(call, method="chat.update", kwargs=kwargs, meta=meta)


def list_settled(
    tx: Tx, row: OutboxPost, call: Call | None, answer: dict[str, Any] | None, failure: Failure | None
) -> str | None:
    """The list shows what `call` drew: after a move the old one is deleted; if it changed meanwhile, the next
    row brings it up to date. An update of a list someone deleted posts it anew."""
    kept = list_for_update(tx.session, row.team_id, row.channel_id)
    meta = call.meta if call is not None else {}
    kept.queued = False
    if call is None or (answer is not None and not meta.get("moved")):  # nothing moved: the list stays put
        kept.move = False
    if answer is not None and meta.get("moved") and answer.get("ts"):
        tx.forget(("list", row.team_id, row.channel_id))
        old = meta.get("old_ts")
        kept.ts, kept.moved_at, kept.move, kept.mention = str(answer["ts"]), tx.now, False, None
        kept.extra = json.dumps({**json.loads(kept.extra or "{}"), "edition_move": False})
        if old and old != kept.ts:
            queue_call(
                tx, team_id=row.team_id, channel_id=row.channel_id, purpose=Purpose.UNLIST, method="chat.delete",
                args={"channel": row.channel_id, "ts": old}, dedupe_key=f"unlist:{row.team_id}:{row.channel_id}:{old}",
            )  # fmt: skip
    if answer is not None or failure is not None or call is None:
        kept.shown = max(kept.shown, int(meta.get("version") or kept.version))
    if failure is not None and failure.error == "message_not_found":  # deleted in Slack: post it anew
        kept.ts, kept.move = None, True
        kept.shown = kept.version - 1
    if kept.shown < kept.version:
        _queue(tx, kept)
    return None

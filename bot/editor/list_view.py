"""Block Kit for the daily digest: a pure function from `DigestData` to one channel message.

The digest must stay a valid Slack message at any size, so every list is cut to share the
message's 50 blocks fairly, and each cut list ends with a line saying how many more there are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from slack_sdk.models.blocks import Block, ButtonElement, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.digest.collect import DigestData, QuietClaim
from bot.editor.stale_view import quiet_for
from bot.editor.words import due_note, owners_line, short, task_line, task_name
from bot.settings import Settings
from bot.slack.blocks import MESSAGE_BLOCK_LIMIT, SECTION_LIMIT, Message, section, sections, share_blocks
from bot.slack.ids import ActionId
from bot.slack.text import age, format_duration, people, proof
from bot.tasks.model import TaskSnapshot

HEADER_LIMIT = 150
TEXT_LIMIT = 3999  # the fallback text must stay under 4,000 characters
# Titles longer than this are shortened in the digest, so that more tasks fit in a message.
# Longest proof of done shown as is (it is free text the user typed).
PROOF_LIMIT = 300
EMPTY_LINE = "Nothing open, nothing taken, nothing done since the last list. :sunny:"
FOLDED_TITLE = "Held back to keep the noise down"
QUIET_TITLE = "Claimed, quiet for a while"  # nobody changed them for nag.stale_claim_after
WEEKLY_BLOCKS = 4  # the week's numbers take at most this many of the 50 blocks
CLAIMABLE = 12  # the oldest unclaimed follow-ups shown each with its own I'll take it button


@dataclass(frozen=True)
class _Part:
    """One list of the digest before it is cut to fit: its heading, its lines, and how many items it has."""

    heading: str
    lines: list[str]
    total: int
    more_hint: str  # what follows "…and N more", e.g. ": `/dibs list unclaimed`"


def digest_title(day: date | None) -> str:
    """The header: `Open follow-ups · Friday 27 November` for a morning's edition, `Open follow-ups` after."""
    return (f"Open follow-ups · {day:%A} {day.day} {day:%B}" if day else "Open follow-ups")[:HEADER_LIMIT]


def _named(task: TaskSnapshot, settings: Settings | None) -> str:
    """`*#12* :calendar: Event · <title>`: number, kind (its label) and the title, cut to `TITLE_LIMIT`."""
    return task_name(short(task), settings)


def unclaimed_line(task: TaskSnapshot, now: datetime, today: date, settings: Settings | None = None) -> str:
    """`• #12 :calendar: Event · <title> · waiting 3d`, and the due date if it has one."""
    waited = age(task.created_at, now)
    waiting = "posted just now" if waited == "just now" else f"waiting {waited}"
    return f"• {_named(task, settings)} · {waiting}{due_note(task, today)}"


def overdue_line(task: TaskSnapshot, settings: Settings | None = None) -> str:
    """`• :warning: #12 :calendar: Event · <title> · <@U1> · overdue since 2026-12-12`."""
    since = f" · overdue since {task.due_on.isoformat()}" if task.due_on else " · overdue"
    return f"• :warning: {_named(task, settings)} · {owners_line(task)}{since}"


def taken_line(task: TaskSnapshot, now: datetime, today: date, settings: Settings | None = None) -> str:
    """A claimed task as `/dibs list` shows it: id, kind, title, age, owners as mentions, due date."""
    return task_line(short(task), now, today, settings)


def quiet_line(quiet: QuietClaim, now: datetime, settings: Settings | None = None) -> str:
    """`• #12 :calendar: Event · <title> · <@U1> · claimed, quiet for 4 days`."""
    task = quiet.task
    return f"• {_named(task, settings)} · {owners_line(task)} · claimed, {quiet_for(quiet.since, now)}"


def done_line(task: TaskSnapshot, settings: Settings | None = None) -> str:
    """`• #12 :calendar: Event · <title> · done by <@U1> · proof: https://…`."""
    by = f"done by {people([task.done_by])}" if task.done_by else "done"
    shown = ""
    if task.done_link:
        link = task.done_link if len(task.done_link) <= PROOF_LIMIT else task.done_link[: PROOF_LIMIT - 1] + "…"
        shown = f" · proof: {proof(link)}"
    return f"• {_named(task, settings)} · {by}{shown}"


def median_line(median: timedelta | None) -> str:
    """`Median time to claim this week: 3h 20m`, or that nothing was claimed."""
    if median is None:
        return "Median time to claim this week: no claims this week"
    return f"Median time to claim this week: {format_duration(median)}"


def summary_text(data: DigestData, lead: str = "") -> str:
    """The fallback text (the notification): `Open follow-ups: 3 unclaimed, 1 overdue, 2 taken, 4 done`, after
    what changed and who it calls."""
    text = (
        f"{lead}Open follow-ups: {_count(data.unclaimed_total, data.unclaimed):,} unclaimed, "
        f"{_count(data.overdue_total, data.overdue):,} overdue, {_count(data.taken_total, data.taken):,} taken, "
        f"{_count(data.done_total, data.done):,} done"
    )
    if data.quiet or data.quiet_total:
        text += f", {_count(data.quiet_total, data.quiet):,} quiet"
    if data.folded:
        text += f", {len(data.folded):,} held back"
    return text[:TEXT_LIMIT]


def _count(total: int, shown: Sequence[object]) -> int:
    """How many items a list has: its total, and never fewer than the caller gave."""
    return max(total, len(shown))


def _parts(data: DigestData, now: datetime, claimable: int) -> list[_Part]:
    """The digest's lists in order, without the empty ones (unclaimed: after the `claimable` with buttons)."""
    today, labels = data.day, data.settings
    unclaimed = _count(data.unclaimed_total, data.unclaimed) - claimable
    parts = [
        _Part(
            "More unclaimed",
            [unclaimed_line(t, now, today, labels) for t in data.unclaimed[claimable:]],
            unclaimed,
            ": `/dibs list unclaimed`",
        ),
        _Part(
            "Overdue",
            [overdue_line(t, labels) for t in data.overdue],
            _count(data.overdue_total, data.overdue),
            ": `/dibs list`",
        ),
        _Part(
            "Taken",
            [taken_line(t, now, today, labels) for t in data.taken],
            _count(data.taken_total, data.taken),
            ": `/dibs list`",
        ),
        _Part(
            QUIET_TITLE,
            [quiet_line(q, now, labels) for q in data.quiet],
            _count(data.quiet_total, data.quiet),
            ": `/dibs list`",
        ),
        _Part(
            "Done since the last list",
            [done_line(t, labels) for t in data.done],
            _count(data.done_total, data.done),
            ": `/dibs list all`",
        ),
    ]
    return [p for p in parts if p.total]


def _part_lines(part: _Part, shown: int) -> list[str]:
    """A list's heading, its first `shown` lines, and how many more there are."""
    lines = [f"*{part.heading} ({part.total:,})*", *part.lines[:shown]]
    if part.total > shown:
        lines.append(f"…and {part.total - shown:,} more{part.more_hint}")
    return lines


def _folded_lines(folded: Sequence[str], shown: int) -> list[str]:
    """The held-back reminders: a heading, the first `shown`, and how many more."""
    lines = [f"*{FOLDED_TITLE}*", *folded[:shown]]
    if len(folded) > shown:
        lines.append(f"…and {len(folded) - shown:,} more held back.")
    return lines


def _blocks_needed(lines: Sequence[str], cap: int) -> int:
    """How many sections `lines` pack into, counting at most `cap + 1`."""
    return len(sections(lines, cap + 1))


def _fit(size: int, render: Callable[[int], list[str]], cap: int) -> list[Block]:
    """The sections for the most items (of `size`) whose rendering packs into `cap` blocks."""
    low, high = 0, size  # render(low) always fits: a heading and a "more" line are one block
    while low < high:
        mid = (low + high + 1) // 2
        if _blocks_needed(render(mid), cap) <= cap:
            low = mid
        else:
            high = mid - 1
    return sections(render(low), cap)


def _cut(renders: Sequence[tuple[int, Callable[[int], list[str]]]], budget: int) -> list[list[Block]]:
    """The sections of each list, cut so that together they use at most `budget` blocks.

    Each render is (how many items the list has, a function from how many to show to its lines).
    """
    needs = [_blocks_needed(render(size), budget) for size, render in renders]
    shares = share_blocks(needs, budget)
    return [_fit(size, render, max(share, 1)) for (size, render), share in zip(renders, shares, strict=True)]


def _claimable(
    tasks: Sequence[TaskSnapshot], now: datetime, today: date, settings: Settings | None = None
) -> list[Block]:
    """The oldest unclaimed follow-ups, each a line with its own I'll take it button."""
    return [
        SectionBlock(
            text=MarkdownTextObject(text=unclaimed_line(task, now, today, settings)[: SECTION_LIMIT - 1]),
            accessory=ButtonElement(text="I'll take it", action_id=ActionId.CLAIM, value=str(task.id)),
        )
        for task in tasks
    ]


def build_digest(
    data: DigestData,
    now: datetime,
    when_empty: str = "one_line",
    *,
    edition: date | None = None,
    note: str | None = None,
) -> Message | None:
    """A channel's standing list of open follow-ups (its morning edition when `edition` names the day), or
    None on a quiet day when `when_empty` is `"skip"`.

    In order: a header, `note` (what changed: a reminder, who it calls), the oldest unclaimed follow-ups each
    with an I'll take it button, then the rest of the unclaimed (oldest first, with how long they have
    waited), overdue, taken, claimed but quiet (quietest first) and done tasks, the median time to claim, the
    week's numbers and the reminders held back by the noise budget. Empty lists are left out; long ones end
    with how many more there are.
    """
    lead = f"{note}\n" if note else ""
    if data.is_empty:
        if when_empty == "skip":
            return None
        if when_empty != "one_line":
            raise ValueError(f"when_empty must be 'one_line' or 'skip', not {when_empty!r}")
        said = f"{lead}{EMPTY_LINE}"
        return Message(text=f"Open follow-ups: {said}", blocks=[HeaderBlock(text=digest_title(edition)), section(said)])
    claimable = data.unclaimed[:CLAIMABLE]
    renders: list[tuple[int, Callable[[int], list[str]]]] = [
        (len(p.lines), partial(_part_lines, p)) for p in _parts(data, now, len(claimable))
    ]
    if data.folded:
        renders.append((len(data.folded), partial(_folded_lines, data.folded)))
    weekly = sections(data.weekly, WEEKLY_BLOCKS)
    top: list[Block] = [HeaderBlock(text=digest_title(edition))]
    if note:
        top.append(section(note[: SECTION_LIMIT - 1]))
    if claimable:
        top.append(section(f"*Unclaimed ({_count(data.unclaimed_total, data.unclaimed):,})*"))
        top += _claimable(claimable, now, data.day, data.settings)
    cut = _cut(renders, MESSAGE_BLOCK_LIMIT - len(top) - 1 - len(weekly))  # room for the median, the week
    lists, folded = (cut[:-1], cut[-1]) if data.folded else (cut, [])
    blocks = top
    for part in lists:
        blocks += part
    blocks.append(section(median_line(data.median_time_to_claim)))
    blocks += weekly
    blocks += folded
    return Message(text=summary_text(data, lead), blocks=blocks)

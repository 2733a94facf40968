"""How the numbers read: `/dibs stats` (private, so it may name people) and the weekly lines of the
digest (in the channel: it names no one and pings no group)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.editor.words import linked_title
from bot.insight.stats import FellThrough, Spread, Stats
from bot.slack.blocks import MESSAGE_BLOCK_LIMIT, Message, sections
from bot.slack.text import escape, format_duration, mention

# How many fell-through tasks a message lists before it says how many more.
FELL_SHOWN = 40
WHY = {"unclaimed": "passed unclaimed", "unfinished": "passed unfinished", "cancelled": "cancelled unclaimed"}


def _duration(value: timedelta | None) -> str:
    return format_duration(value) if value is not None else "–"


def spread_text(spread: Spread) -> str:
    """`3h 20m / 1d 2h (12)`: median / 90th percentile (how many)."""
    return f"{_duration(spread.median)} / {_duration(spread.p90)} ({spread.count})"


def fell_line(item: FellThrough) -> str:
    """`• #12 <title> · Fri 20 Nov passed unclaimed`, the title linked to its post."""
    title = linked_title(item)
    if item.why == "cancelled":
        return f"• *#{item.id}* {title} · {WHY[item.why]} ({item.on:%a %d %b})"
    return f"• *#{item.id}* {title} · {item.on:%a %d %b} {WHY[item.why]}"


def fell_lines(items: Sequence[FellThrough], shown: int = FELL_SHOWN) -> list[str]:
    """The fell-through list by kind, at most `shown` tasks, then how many more."""
    lines: list[str] = []
    kind = None
    for item in items[:shown]:
        if item.kind != kind:
            kind = item.kind
            lines.append(f"_{escape(kind)}_")
        lines.append(fell_line(item))
    if len(items) > shown:
        lines.append(f"…and {len(items) - shown} more.")
    return lines


def _where(stats: Stats) -> str:
    return f"<#{stats.channel_id}>" if stats.channel_id else "this workspace"


def _group(group: str | None) -> str:
    return f"<!subteam^{group}>" if group else "no owner group"


def build_stats(stats: Stats, days: int) -> Message:
    """The answer to `/dibs stats`: counts, fell-through list, times per kind, reminders, people, groups."""
    first, last = stats.since.date(), (stats.until - timedelta(seconds=1)).date()
    lines = [
        f"*Stats for {_where(stats)}, the last {days} days* ({first:%d %b} – {last:%d %b})",
        f"*{stats.created}* created · *{stats.claimed}* claimed · *{stats.done}* done",
        f"*Fell through the cracks: {len(stats.fell_through)}*"
        + (" (a date passed with no owner or not done, or cancelled unclaimed)" if stats.fell_through else " :tada:"),
        *fell_lines(stats.fell_through),
        "*Time to claim · time to done* (median / 90th percentile (how many))",
        f"• every kind: {spread_text(stats.to_claim)}",
        *(f"• {escape(k.kind)}: {spread_text(k.to_claim)} · done {spread_text(k.to_done)}" for k in stats.kinds),
    ]
    per = stats.reminders_per_claim
    lines.append(
        f"*Reminders:* {per:.1f} per claimed task ({stats.reminders} before {stats.claimed} claims)"
        if per is not None
        else "*Reminders:* no task was claimed in this period"
    )
    if stats.claims:
        lines.append("*Who took them:* " + " · ".join(f"{mention(u)} {n}" for u, n in stats.claims[:20]))
    if stats.groups:
        lines.append("*Longest waits* (the slowest tenth, by owner group):")
        lines += [
            f"• {_group(g.group)} ({', '.join(escape(k) for k in g.kinds)}): {g.among_longest} of the longest, "
            f"longest {format_duration(g.longest)} ({g.waits} waited)"
            for g in stats.groups
        ]
    text = (
        f"Stats for the last {days} days: {stats.created} created, {stats.claimed} claimed, {stats.done} done, "
        f"{len(stats.fell_through)} fell through"
    )
    return Message(text=text, blocks=sections(lines, MESSAGE_BLOCK_LIMIT))


def _change(now: int, before: int) -> str:
    delta = now - before
    return f"{now} ({'+' if delta > 0 else '−' if delta < 0 else '±'}{abs(delta)})"


def weekly_lines(week: Stats, before: Stats) -> list[str]:
    """The digest's weekly numbers with the change from the week before (no one named, no group pinged)."""
    claim_before = f" (was {_duration(before.to_claim.median)})" if before.to_claim.median else ""
    lines = [
        "*This week in numbers* (change from the week before)",
        f"Created {_change(week.created, before.created)} · claimed {_change(week.claimed, before.claimed)} · "
        f"done {_change(week.done, before.done)}",
        f"Median time to claim: {_duration(week.to_claim.median)}{claim_before}",
        f"*Fell through the cracks: {_change(len(week.fell_through), len(before.fell_through))}*",
        *fell_lines(week.fell_through, 10),
    ]
    if week.claims:
        top = week.claims[0][1]
        total = sum(n for _, n in week.claims)
        lines.append(f"Claims shared by {len(week.claims)} people; the most by one person: {top} of {total}")
    slow = [g for g in week.groups if g.among_longest]
    if slow:
        lines.append(
            "Waited longest: " + ", ".join(f"{'/'.join(map(escape, g.kinds))} ({g.among_longest})" for g in slow)
        )
    return lines

"""How the numbers read: `/dibs stats` (private, so it may name people) and the weekly lines of the
digest (in the channel: it names no one and pings no group)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.editor.words import linked_title
from bot.insight.stats import FellThrough, Spread, Stats
from bot.settings import Settings
from bot.settings.labels import kind_in_sentence, kind_label
from bot.slack.blocks import MESSAGE_BLOCK_LIMIT, Message, sections
from bot.slack.text import format_duration, mention, named, plural
from bot.tasks.retention import horizon
from bot.timing import local_day

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


def fell_lines(items: Sequence[FellThrough], shown: int = FELL_SHOWN, settings: Settings | None = None) -> list[str]:
    """The fell-through list by kind (its label), at most `shown` tasks, then how many more."""
    lines: list[str] = []
    kind = None
    for item in items[:shown]:
        if item.kind != kind:
            kind = item.kind
            lines.append(f"_{kind_label(settings, kind)}_")
        lines.append(fell_line(item))
    if len(items) > shown:
        lines.append(f"…and {len(items) - shown} more.")
    return lines


def _where(stats: Stats) -> str:
    return f"<#{stats.channel_id}>" if stats.channel_id else "this workspace"


def _group(group: str | None) -> str:
    return f"<!subteam^{group}>" if group else "no owner group"


def _labels(kinds: Sequence[str], settings: Settings | None, joiner: str = ", ") -> str:
    return joiner.join(kind_label(settings, k) for k in kinds)


def _were(count: int, what: str) -> str:
    return f"{count} {'was' if count == 1 else 'were'} {what}"


def _counts(stats: Stats) -> str:
    """`12 follow-ups came in; 10 were claimed, usually within 3h; 8 were done.`"""
    usually = stats.to_claim.median
    claimed = _were(stats.claimed, "claimed") + (f", usually within {format_duration(usually)}" if usually else "")
    return f"{plural(stats.created, 'follow-up')} came in; {claimed}; {_were(stats.done, 'done')}."


def _who_took(claims: Sequence[tuple[str, int]]) -> str:
    """`<@Ben> took the most (5); 4 people took some.`, or who took them all."""
    if len(claims) == 1:
        return f"{mention(claims[0][0])} took every one ({claims[0][1]})."
    most = claims[0][1]
    top = [mention(user) for user, count in claims if count == most]
    took = (
        f"{named(top[:-1])} and {top[-1]} took the most ({most} each)"
        if len(top) > 1
        else f"{top[0]} took the most ({most})"
    )
    return f"{took}; {len(claims)} people took some."


def _slowest(stats: Stats, settings: Settings | None) -> list[str]:
    """Which kind waited longest for an owner, and whose follow-ups the longest waits were."""
    lines = []
    timed = [k for k in stats.kinds if k.to_claim.median is not None]
    if len(timed) > 1:
        slow = max(timed, key=lambda k: k.to_claim.median or timedelta(0))
        assert slow.to_claim.median is not None
        lines.append(
            f"{kind_label(settings, slow.kind)} follow-ups waited longest for an owner: usually "
            f"{format_duration(slow.to_claim.median)}."
        )
    first = stats.groups[0] if stats.groups and stats.groups[0].among_longest else None
    if first is not None and len(stats.groups) > 1:
        kinds = " and ".join(kind_in_sentence(settings, k) for k in first.kinds)
        lines.append(
            f"Most of the longest waits were {kinds} follow-ups, which ask <!subteam^{first.group}>."
            if first.group
            else f"Most of the longest waits were {kinds} follow-ups, which no user group is asked about: "
            "`/dibs route KIND @group` names one."
        )
    return lines


def _summary(stats: Stats, settings: Settings | None) -> list[str]:
    """`/dibs stats` as sentences a marketing lead can act on; `/dibs stats detail` has every number."""
    fell = len(stats.fell_through)
    lines = [_counts(stats)]
    if fell:
        lines.append(f"{plural(fell, 'follow-up')} fell through the cracks (a date passed with no owner or "
                     "not done, or cancelled unclaimed):")  # fmt: skip
        lines += fell_lines(stats.fell_through, settings=settings)
    else:
        lines.append("Nothing fell through the cracks. :tada:")
    if stats.claims:
        lines.append(_who_took(stats.claims))
    lines += _slowest(stats, settings)
    if stats.reminders and stats.claimed:
        lines.append(f"Dibs sent {plural(stats.reminders, 'reminder')} before they were claimed.")
    return [*lines, "`/dibs stats detail` shows every number."]


def _detail(stats: Stats, settings: Settings | None) -> list[str]:
    """Every number: counts, fell-through list, times per kind, reminders, people, groups."""
    lines = [
        f"*{stats.created}* created · *{stats.claimed}* claimed · *{stats.done}* done",
        f"*Fell through the cracks: {len(stats.fell_through)}*"
        + (" (a date passed with no owner or not done, or cancelled unclaimed)" if stats.fell_through else " :tada:"),
        *fell_lines(stats.fell_through, settings=settings),
        "*Time to claim · time to done* (median / 90th percentile (how many))",
        f"• every kind: {spread_text(stats.to_claim)}",
        *(
            f"• {kind_label(settings, k.kind)}: {spread_text(k.to_claim)} · done {spread_text(k.to_done)}"
            for k in stats.kinds
        ),
    ]
    per = stats.reminders_per_claim
    lines.append(
        f"*Reminders:* {per:.1f} per claimed task ({plural(stats.reminders, 'reminder')} before "
        f"{plural(stats.claimed, 'claim')})"
        if per is not None
        else "*Reminders:* no task was claimed in this period"
    )
    if stats.claims:
        lines.append("*Who took them:* " + " · ".join(f"{mention(u)} {n}" for u, n in stats.claims[:20]))
    if stats.groups:
        lines.append("*Longest waits* (the slowest tenth, by owner group):")
        lines += [
            f"• {_group(g.group)} ({_labels(g.kinds, settings)}): {g.among_longest} of the longest, "
            f"longest {format_duration(g.longest)} ({g.waits} waited)"
            for g in stats.groups
        ]
    return lines


def retention_lines(stats: Stats, settings: Settings | None) -> list[str]:
    """When the period reaches back past what is kept (`retention.closed_after`): the sentence that says so."""
    kept = settings.retention.closed_after if settings is not None else None
    before = horizon(stats.until, kept)
    if settings is None or kept is None or before is None or stats.since >= before:
        return []  # (everything the period asks about is still kept)
    day = local_day(before, settings)
    return [
        f"Tasks closed before {day.day} {day:%b %Y} are no longer kept "
        f"(retention.closed_after: {format_duration(kept)})."
    ]


def build_stats(stats: Stats, days: int, settings: Settings | None = None, detail: bool = False) -> Message:
    """The answer to `/dibs stats`: sentences (how many came in and were claimed, how fast, what fell
    through, who took the most, where the waits were longest); `detail`: every number."""
    first, last = stats.since.date(), (stats.until - timedelta(seconds=1)).date()
    head = f"*Stats for {_where(stats)}, the last {days} days* ({first:%d %b} – {last:%d %b})"
    lines = [
        head,
        *retention_lines(stats, settings),
        *(_detail(stats, settings) if detail else _summary(stats, settings)),
    ]
    text = (
        f"Stats for the last {days} days: {stats.created} created, {stats.claimed} claimed, {stats.done} done, "
        f"{len(stats.fell_through)} fell through"
    )
    return Message(text=text, blocks=sections(lines, MESSAGE_BLOCK_LIMIT))


def _change(now: int, before: int) -> str:
    delta = now - before
    return f"{now} ({'+' if delta > 0 else '−' if delta < 0 else '±'}{abs(delta)})"


def weekly_lines(week: Stats, before: Stats, settings: Settings | None = None) -> list[str]:
    """The digest's weekly numbers with the change from the week before (no one named, no group pinged)."""
    claim_before = f" (was {_duration(before.to_claim.median)})" if before.to_claim.median else ""
    lines = [
        "*This week in numbers* (change from the week before)",
        f"Created {_change(week.created, before.created)} · claimed {_change(week.claimed, before.claimed)} · "
        f"done {_change(week.done, before.done)}",
        f"Median time to claim: {_duration(week.to_claim.median)}{claim_before}",
        f"*Fell through the cracks: {_change(len(week.fell_through), len(before.fell_through))}*",
        *fell_lines(week.fell_through, 10, settings),
    ]
    if week.claims:
        top = week.claims[0][1]
        total = sum(n for _, n in week.claims)
        lines.append(f"Claims shared by {len(week.claims)} people; the most by one person: {top} of {total}")
    slow = [g for g in week.groups if g.among_longest]
    if slow:
        lines.append(
            "Waited longest: " + ", ".join(f"{_labels(g.kinds, settings, '/')} ({g.among_longest})" for g in slow)
        )
    return lines

"""Who posts which digest when: each workspace at its own digest time, in its own time zone; one row per
channel and local day decides, across processes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot import metrics
from bot.insight.chart import has_data, series_args
from bot.insight.weekly import is_weekly, week_in_numbers
from bot.settings.workspace import merged
from bot.tasks.changes import EditionDue
from bot.timing import digest_due, digest_slot, local_day
from store.enums import PostState
from store.queries.channels import channels_without_digest, teams_watching
from store.queries.digests import changed_since, claim_digest_day, last_digest_at
from store.queries.outbox import folded_posts_in_channel
from store.queries.workspaces import all_setting_values

if TYPE_CHECKING:
    from bot.services import Services

# Audit rows made by people that leave a task as the digest shows it.
NOT_CHANGES = ("nudge_snoozed",)


def _due_days(svc: Services, now: datetime, due: bool | None) -> dict[date, list[str]]:
    """The workspaces whose digest is due at `now`, by their local day (each by its own time zone and
    digest time; `due` True or False decides for all of them)."""
    with svc.read() as session:
        teams = teams_watching(session)
        own = all_setting_values(session) if teams else {}
    days: dict[date, list[str]] = {}
    for team_id in teams:
        here = merged(svc.settings, own[team_id]) if team_id in own else svc.settings
        if digest_due(now, here) if due is None else due:
            days.setdefault(local_day(now, here), []).append(team_id)
    return days


def something_new(session: Session, team_id: str, channel_id: str, last: datetime) -> bool:
    """`digest.when_unchanged: skip`: whether the channel's digest has news since its last one at `last`:
    a task created, claimed, released, dated, done or cancelled (any audit row a person or Slack made;
    the schedule's reminders and nudges, and Snooze on a nudge, change nothing), or pings held back for it."""
    return changed_since(session, team_id, channel_id, last, NOT_CHANGES) or bool(
        folded_posts_in_channel(session, team_id, channel_id)
    )


def _held_lines(session: Session, team_id: str, channel_id: str) -> tuple[str, ...]:
    """The pings held back by the noise budget for the channel's tasks: taken into this edition."""
    held = folded_posts_in_channel(session, team_id, channel_id)
    for post in held:
        post.state = PostState.DIGESTED
    return tuple(f"• {p.text}" for p in held)


def plan_digests(svc: Services, now: datetime, due: bool | None = None) -> int:
    """Record today's morning edition for every watched channel that has none yet, in each workspace whose
    digest is due (the editor moves the channel's list with it); returns how many."""
    channels: list[tuple[date, str, str]] = []
    for day, team_ids in _due_days(svc, now, due).items():
        with svc.read() as session:
            for team_id in team_ids:
                # A channel watched after today's digest time waits for the next one: no digest a minute
                # after `/dibs watch`.
                slot = digest_slot(day, svc.settings_for(team_id, session))
                channels += [(day, t, c) for t, c in channels_without_digest(session, day, [team_id], slot)]
    queued = 0
    for day, team_id, channel_id in channels:
        # The week's numbers are read before the write transaction, which stays short.
        week = week_in_numbers(svc, team_id, channel_id, now) if is_weekly(day, svc.settings) else None
        with svc.transaction(now=now) as tx:
            if not claim_digest_day(tx.session, team_id, channel_id, day, now):
                continue  # another process (or an earlier run today) has it
            here = tx.settings_for(team_id)
            last = last_digest_at(tx.session, team_id, channel_id, day)
            # The week's first edition comes for its numbers, but not with no numbers to give.
            skip_unchanged = here.digest.when_unchanged == "skip" and (week is None or week.quiet)
            if skip_unchanged and last is not None and not something_new(tx.session, team_id, channel_id, last):
                continue  # today's run is recorded: tomorrow looks for changes since now, the same thing
            drawn = week is not None and here.stats.chart and has_data(week.series)
            chart = series_args(week.series) if week is not None and drawn else None
            numbers = week if week is not None and not week.quiet else None
            tx.changed(
                EditionDue(
                    team_id, channel_id, day, last or now - timedelta(days=1), numbers,
                    _held_lines(tx.session, team_id, channel_id), here.digest.when_empty, chart,
                )
            )  # fmt: skip
            queued += 1
    metrics.DIGESTS.inc(queued)
    return queued


def post_digest_now(svc: Services, team_id: str, channel_id: str, now: datetime) -> None:
    """`/dibs digest`: the channel's morning edition now, moved to the bottom whatever the quiet window says."""
    with svc.transaction(now=now) as tx:
        day = local_day(now, tx.settings_for(team_id))
        since = last_digest_at(tx.session, team_id, channel_id, day + timedelta(days=1)) or now - timedelta(days=1)
        held = _held_lines(tx.session, team_id, channel_id)
        tx.changed(EditionDue(team_id, channel_id, day, since, held=held, asked=True))
    metrics.DIGESTS.inc()

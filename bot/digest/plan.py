"""Who posts which digest when: each workspace at its own digest time, in its own time zone; one row per
channel and local day decides, across processes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.delivery.outbox import queue_message
from bot.digest.collect import collect_digest
from bot.digest.view import build_digest
from bot.insight.weekly import is_weekly, queue_chart, week_in_numbers
from bot.reminders.policy import digest_due, digest_slot, local_day
from bot.settings.workspace import merged
from bot.slack.blocks import Message
from store.enums import Purpose
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


def plan_digests(svc: Services, now: datetime, due: bool | None = None) -> int:
    """Queue today's digest for every watched channel that has none yet, in each workspace whose digest
    is due; returns how many were queued."""
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
            session = tx.session
            if not claim_digest_day(session, team_id, channel_id, day, now):
                continue  # another process (or an earlier run today) has it
            here = tx.settings_for(team_id)
            last = last_digest_at(session, team_id, channel_id, day)
            skip_unchanged = here.digest.when_unchanged == "skip" and week is None
            if skip_unchanged and last is not None and not something_new(session, team_id, channel_id, last):
                continue  # today's run is recorded: tomorrow looks for changes since now, the same thing
            since = last or now - timedelta(days=1)
            data = collect_digest(session, here, team_id, channel_id, now, since)
            if week is not None:
                data = replace(data, weekly=week.lines)
            message = build_digest(data, now, here.digest.when_empty)
            if message is None:
                continue
            queue_message(
                tx, team_id, channel_id, message, Purpose.DIGEST, dedupe_key=f"digest:{team_id}:{channel_id}:{day}"
            )
            if week is not None:
                queue_chart(tx, team_id, channel_id, day, week)
            queued += 1
    return queued


def digest_on_demand(svc: Services, team_id: str, channel_id: str, now: datetime, preview: bool) -> Message:
    """`/dibs digest`: the digest as it stands now (a preview leaves held-back pings for the daily one)."""
    with svc.transaction(now=now) as tx:
        session = tx.session
        settings = tx.settings_for(team_id)
        day = local_day(now, settings)
        since = last_digest_at(session, team_id, channel_id, day + timedelta(days=1)) or now - timedelta(days=1)
        data = collect_digest(session, settings, team_id, channel_id, now, since, take_held=not preview)
    message = build_digest(data, now, "one_line")
    assert message is not None  # "one_line" always gives a message
    return message

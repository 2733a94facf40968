"""Who posts which digest when: one row per channel and local day decides, across processes."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.delivery.outbox import queue_message
from bot.digest.collect import collect_digest
from bot.digest.view import build_digest
from bot.reminders.policy import digest_slot, local_day
from bot.services import Services
from bot.slack.blocks import Message
from store.enums import Purpose
from store.queries.channels import channels_without_digest
from store.queries.digests import claim_digest_day, last_digest_at


def plan_digests(svc: Services, now: datetime, due: bool) -> int:
    """Queue today's digest for every watched channel that has none yet; returns how many were queued."""
    if not due:
        return 0
    settings = svc.settings
    day = local_day(now, settings)
    with svc.read() as session:
        # A channel watched after today's digest time waits for the next one: no digest a minute
        # after `/dibs watch`.
        channels = channels_without_digest(session, day, watched_by=digest_slot(day, settings))
    queued = 0
    for team_id, channel_id in channels:
        with svc.transaction(now=now) as tx:
            session = tx.session
            if not claim_digest_day(session, team_id, channel_id, day, now):
                continue  # another process (or an earlier run today) has it
            since = last_digest_at(session, team_id, channel_id, day) or now - timedelta(days=1)
            data = collect_digest(session, settings, team_id, channel_id, now, since)
            message = build_digest(data, now, settings.digest.when_empty)
            if message is None:
                continue
            queue_message(
                tx, team_id, channel_id, message, Purpose.DIGEST, dedupe_key=f"digest:{team_id}:{channel_id}:{day}"
            )
            queued += 1
    return queued


def digest_on_demand(svc: Services, team_id: str, channel_id: str, now: datetime, preview: bool) -> Message:
    """`/dibs digest`: the digest as it stands now (a preview leaves held-back pings for the daily one)."""
    settings = svc.settings
    with svc.transaction(now=now) as tx:
        session = tx.session
        day = local_day(now, settings)
        since = last_digest_at(session, team_id, channel_id, day + timedelta(days=1)) or now - timedelta(days=1)
        data = collect_digest(session, settings, team_id, channel_id, now, since, take_held=not preview)
    message = build_digest(data, now, "one_line")
    assert message is not None  # "one_line" always gives a message
    return message

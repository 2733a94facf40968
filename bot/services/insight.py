"""What `/dibs stats` and `/dibs export` do: read the numbers, or queue the file, for whoever asked."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.delivery.outbox import queue_call
from bot.editor.insight_view import build_stats
from bot.insight.stats import compute_stats
from bot.slack.blocks import Message
from store.enums import Purpose

if TYPE_CHECKING:
    from bot.services import Services


def stats_answer(
    svc: Services, team_id: str, channel_id: str, days: int, everywhere: bool, detail: bool = False
) -> Message:
    """`/dibs stats`: the last `days` days of this channel (or of every task that can be seen from it), as
    sentences, or with every number (`detail`)."""
    now = svc.now()
    with svc.read() as session:
        here = svc.settings_for(team_id, session)
        scope = None if everywhere else channel_id
        stats = compute_stats(session, here, team_id, scope, now - timedelta(days=days), now, seen_from=channel_id)
    return build_stats(stats, days, here, detail)


def request_export(
    svc: Services,
    team_id: str,
    channel_id: str,
    user_id: str,
    days: int | None,
    here_only: bool,
    response_url: str | None,
) -> str:
    """`/dibs export`: queue the CSV (built and uploaded to the person's DM after the ack); the answer."""
    with svc.transaction() as tx:
        queue_call(
            tx, team_id=team_id, channel_id=user_id, recipient=user_id, purpose=Purpose.EXPORT,
            method="files.upload_v2", response_url=response_url,
            args={"seen_from": channel_id, "here_only": here_only, "days": days, "until": tx.now.isoformat()},
        )  # fmt: skip
    period = f"the last {days} days" if days else "every task"
    where = f"<#{channel_id}>" if here_only else "this workspace (as seen from here)"
    return f"Exporting {period} of {where} as CSV; it arrives in your messages with Dibs in a moment."

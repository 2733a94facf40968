"""The channel's list of open follow-ups on demand: `/dibs digest preview` shows it as its morning edition would
read now, only to the person who asked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.digest.collect import collect_digest
from bot.editor.list_view import build_digest
from bot.slack.blocks import Message
from bot.timing import local_day
from store.queries.digests import last_digest_at

if TYPE_CHECKING:
    from bot.services import Services


def digest_on_demand(svc: Services, team_id: str, channel_id: str, now: datetime, preview: bool) -> Message:
    """`/dibs digest preview`: the list as its morning edition would read now (held-back pings stay held)."""
    with svc.read() as session:
        settings = svc.settings_for(team_id, session)
        day = local_day(now, settings)
        since = last_digest_at(session, team_id, channel_id, day + timedelta(days=1)) or now - timedelta(days=1)
        data = collect_digest(session, settings, team_id, channel_id, now, since, take_held=False)
    message = build_digest(data, now, "one_line", edition=day)
    assert message is not None  # "one_line" always gives a message
    return message

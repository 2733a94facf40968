"""Publishing the Home tab: the courier reads it as it sends it (`home_call`), with the channels the
person is in (`Memberships`), so a burst of changes publishes the latest state once."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.delivery.calls import Call
from bot.editor.home_data import collect_home
from bot.editor.home_view import build_home
from bot.editor.phrase_view import HOME_SUGGESTIONS
from bot.intake.phrases import suggested

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
MEMBERSHIP_TTL = 600.0  # seconds: who is in which channel changes slowly


def home_call(client: WebClient, svc: Services, call: Call, now: datetime) -> Call:
    """views.publish of the tab as it is now."""
    user_id = str(call.kwargs["user_id"])
    member_of = svc.memberships.of(client, call.team_id, user_id)
    with svc.read() as session:
        here = svc.settings_for(call.team_id, session)
        data = collect_home(session, here, call.team_id, user_id, member_of, now, call.kwargs.get("notice"))
        if svc.admins.allows(call.team_id, user_id):  # phrases learnt from posts tracked by hand, for the admins
            data = replace(data, suggestions=suggested(session, here, call.team_id, now)[:HOME_SUGGESTIONS])
    return replace(call, kwargs={"user_id": user_id, "view": build_home(data).to_dict()})

"""Who is away: a `user_change` event keeps its person's row as Slack sent it (no call), and someone back hears
what passed them by while they were away."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from bot.staffing.presence import save_user, welcome_back


def user_changed(svc: Services, team_id: str, user: dict[str, Any]) -> None:
    """Slack says a person changed (their status, time zone…): their row now says the same; if they are back,
    they are told what passed them by."""
    with svc.transaction() as tx:
        user_id = save_user(tx, team_id, user)
        if user_id is not None:
            welcome_back(tx, team_id, [user_id])

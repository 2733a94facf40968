"""Routing: which user group a kind's question and escalations mention in a workspace, set with
`/dibs route KIND @group` (`bot.installs.settings`) on top of the settings file's `owner_group`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.memo import Memo
from bot.settings import Kind, Settings
from store.queries.routes import route_of


def kind_for(session: Session, settings: Settings, team_id: str, name: str, memo: Memo | None = None) -> Kind | None:
    """The kind as it works in this workspace: its owner group routed from Slack, if one was set (kept a moment
    in `memo`)."""
    kind = settings.kind(name)
    if kind is None:
        return None
    if memo is None:
        group = route_of(session, team_id, name)
    else:
        group = memo.get(("route", team_id, name), lambda: route_of(session, team_id, name))
    return kind.model_copy(update={"owner_group": group}) if group else kind

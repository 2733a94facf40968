"""Routing: which user group a kind's question and escalations mention in a workspace, set with
`/dibs route KIND @group` on top of the settings file's `owner_group`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.intake.channels import check_admin
from bot.settings import Kind, Settings
from bot.tasks.errors import DibsError
from store.queries.routes import clear_route, route_of, set_route

if TYPE_CHECKING:
    from bot.services import Services


def kind_for(session: Session, settings: Settings, team_id: str, name: str) -> Kind | None:
    """The kind as it works in this workspace: its owner group routed from Slack, if one was set."""
    kind = settings.kind(name)
    group = route_of(session, team_id, name) if kind is not None else None
    return kind.model_copy(update={"owner_group": group}) if kind is not None and group else kind


def route(svc: Services, team_id: str, user_id: str, kind: str, group: str | None) -> str:
    """`/dibs route`: set (or clear) a kind's owner group; the answer for the person who asked."""
    check_admin(svc, team_id, user_id)
    if svc.settings.kind(kind) is None:
        raise DibsError(f"There is no kind `{kind}`. Kinds: {', '.join(sorted(svc.settings.kinds))}.")
    with svc.transaction() as tx:
        if group is None:
            cleared = clear_route(tx.session, team_id, kind)
            fallback = svc.settings.kinds[kind].owner_group
            back = f"<!subteam^{fallback}> from the settings file" if fallback else "no group (reminders say @here)"
            return f"{kind} follow-ups go to {back} now." if cleared else f"{kind} had no route set here."
        set_route(tx.session, team_id, kind, group, user_id, tx.now)
    return f"New {kind} follow-ups ask <!subteam^{group}>, and their reminders mention it."

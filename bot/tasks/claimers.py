"""Who may claim a kind's tasks: the members of its `claimers:` user group (or of the group set with
`/dibs route KIND @group claimers`, over the file's), and always the members of the `admins:` group.

One rule for every way a seat is taken: a claim (button, command, reaction, the claim queue), joining a
waitlist, taking an offered seat or a nomination, and the person a seat is handed to (`/dibs assign`, a swap,
a take-over). The members are read from `group_members` (what Slack last said, kept by a background read
and Slack's subteam events), never from Slack on a request. While a group's members were never heard of,
anyone may claim (and it is logged); the background read asks Slack for them within 30 seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session

from bot.memo import Memo
from bot.settings import Settings
from bot.settings.labels import kind_label
from bot.slack.text import is_person, mention
from bot.tasks.errors import NotClaimer
from bot.tasks.tx import Tx
from store.models import Task
from store.queries.groups import members_of
from store.queries.routes import claimer_route_of, claimer_routes

log = logging.getLogger(__name__)


def claimer_group(
    session: Session, settings: Settings, team_id: str, kind: str, memo: Memo | None = None
) -> str | None:
    """The user group whose members may claim the kind's tasks in this workspace; None: anyone may."""
    if memo is None:
        routed = claimer_route_of(session, team_id, kind)
    else:
        routed = memo.get(("claimers", team_id, kind), lambda: claimer_route_of(session, team_id, kind))
    found = settings.kind(kind)
    return routed or (found.claimers if found is not None else None)


def claimers_of(
    session: Session, settings: Settings, team_id: str, kind: str, memo: Memo | None = None
) -> frozenset[str] | None:
    """Who may claim the kind's tasks in this workspace: its claimer group's members and the admins group's.
    None: anyone may (the kind has no claimer group, or its members are not known yet)."""
    group = claimer_group(session, settings, team_id, kind, memo)
    if group is None:
        return None
    members = members_of(session, team_id, group)
    if members is None:
        log.warning("the members of %s are not known yet in %s: anyone may claim %s tasks meanwhile", group, team_id,
                    kind)  # fmt: skip
        return None
    admins = members_of(session, team_id, settings.admins) if settings.admins else None
    return members | (admins or frozenset())


def check_may_claim(tx: Tx, team_id: str, task_id: int, kind: str, user_id: str, actor: str | None = None) -> None:
    """Refuse (`NotClaimer`) a seat on the task for `user_id` when the kind is for a group they are not in.
    `actor`: who hands them the seat, when it is someone else (the sentence is then about `user_id`)."""
    settings = tx.settings_for(team_id)
    allowed = claimers_of(tx.session, settings, team_id, kind, tx.memo)
    if allowed is None or user_id in allowed:
        return
    group = claimer_group(tx.session, settings, team_id, kind, tx.memo)
    label = kind_label(settings, kind)
    if actor is not None and actor != user_id:
        raise NotClaimer(f"{mention(user_id)} can't take #{task_id}: {label} follow-ups are for <!subteam^{group}>.",
                         task_id)  # fmt: skip
    task = tx.session.get(Task, task_id)  # a refusal is rare: the task is read only for it
    if task is not None and is_person(task.posted_by):
        how = f"Ask one of them, or the poster can `/dibs assign {task_id} @someone`."
    else:  # a feed, a calendar or a webhook posted it
        how = "Ask one of them to take it."
    raise NotClaimer(f"{label} follow-ups are for <!subteam^{group}>. {how}", task_id)


def groups_in_use(session: Session, settings: Settings, team_id: str) -> set[str]:
    """The user groups whose members the claim rule reads in this workspace: each kind's claimer group (set
    here or in the file), and the admins group when there is one of those."""
    return every_group_in_use(session, settings, [team_id]).get(team_id, set())


def every_group_in_use(session: Session, settings: Settings, teams: Iterable[str]) -> dict[str, set[str]]:
    """`groups_in_use` of each workspace in `teams`, read in one query."""
    in_file = {kind.claimers for kind in settings.kinds.values() if kind.claimers}
    used = {team_id: set(in_file) for team_id in teams}
    for team_id, _, group in claimer_routes(session):
        if team_id in used:
            used[team_id].add(group)
    for groups in used.values():
        if groups and settings.admins:
            groups.add(settings.admins)
    return used

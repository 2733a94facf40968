"""Who may claim (`bot.tasks.claimers`), on the services' side: the members of the user groups the claim rule
reads, kept in `group_members` from Slack (a background read, and Slack's subteam events at once), and the one
note a claim reaction by someone outside the group gets per task."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.delivery.outbox import ReplyTo, queue_note
from bot.services import Services
from bot.slack.jobs import per_workspace
from bot.tasks.claimers import every_group_in_use, groups_in_use
from bot.tasks.errors import NotClaimer
from store.queries.groups import change_members, members_of, read_at, set_members

log = logging.getLogger(__name__)
READ_EVERY = 600  # seconds: every group in use is read again this often (by whichever process comes first)


def groups_due(svc: Services, teams: Iterable[str]) -> list[tuple[str, str]]:
    """(team, group) of the groups in use whose members were never read (at once), or not for READ_EVERY."""
    now = svc.now()
    with svc.read() as session:  # two queries, however many workspaces
        used, known = every_group_in_use(session, svc.settings, teams), read_at(session)
    return [
        (team_id, group)
        for team_id, groups in used.items()
        for group in sorted(groups)
        if (team_id, group) not in known or (now - known[team_id, group]).total_seconds() >= READ_EVERY
    ]


def read_groups(svc: Services, client_for: Callable[[str], WebClient | None], teams: Iterable[str]) -> int:
    """Ask Slack for the members of the groups that are due (`usergroups.users.list`), workspace by workspace;
    returns how many were read. A group Slack does not answer for keeps its last known members."""

    def one_workspace(team_id: str, due: list[tuple[str, str]]) -> int:
        client = client_for(team_id)
        if client is None:
            return 0
        read = 0
        for _, group in due:
            try:
                users = [str(u) for u in client.usergroups_users_list(usergroup=group).get("users") or []]
            except (SlackClientError, OSError) as error:
                log.warning("could not read the members of %s in %s (the last known stay in force): %s",
                            group, team_id, error)  # fmt: skip
                continue
            with svc.transaction() as tx:
                set_members(tx.session, team_id, group, users, tx.now)
            read += 1
        return read

    return per_workspace(groups_due(svc, teams), lambda due: due[0], one_workspace)


def group_changed(
    svc: Services, team_id: str, group: str, added: Iterable[str] = (), removed: Iterable[str] = (),
    users: Iterable[str] | None = None,
) -> None:  # fmt: skip
    """Slack said a group changed: people joined or left (`subteam_members_changed`), or here are all its
    members (`subteam_updated`). Kept for the groups the claim rule reads (or already kept)."""
    if not team_id or not group:
        return
    with svc.transaction() as tx:
        if users is None:
            change_members(tx.session, team_id, group, added, removed)
        elif (
            group in groups_in_use(tx.session, svc.settings, team_id)
            or members_of(tx.session, team_id, group) is not None
        ):
            set_members(tx.session, team_id, group, users, tx.now)


def tell_not_claimer(svc: Services, to: ReplyTo, refusal: NotClaimer) -> bool:
    """Tell someone outside a kind's claimer group why their claim reaction did nothing: once per task (across
    retries and processes); False when they were told before."""
    with svc.transaction() as tx:
        return queue_note(tx, to, str(refusal), dedupe_key=f"notclaimer:{refusal.task_id}:{to.user_id}")

"""A user group's members as Slack last told Dibs (`group_members`), shared by every process: written by the
background read (`usergroups.users.list`) and by Slack's subteam events, read by the claim rule."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import GroupMembers
from store.queries.common import insert_ignore


def _encoded(users: Iterable[str]) -> str:
    return json.dumps(sorted(set(users)))


def members_of(session: Session, team_id: str, group_id: str) -> frozenset[str] | None:
    """The group's members as last heard; None if Dibs never heard."""
    row = session.get(GroupMembers, {"team_id": team_id, "group_id": group_id})
    return None if row is None else frozenset(json.loads(row.members))


def read_at(session: Session) -> dict[tuple[str, str], datetime]:
    """When each (team, group)'s members were last read in full."""
    query = select(GroupMembers.team_id, GroupMembers.group_id, GroupMembers.fetched_at)
    return {(team, group): at for team, group, at in session.execute(query)}


def set_members(session: Session, team_id: str, group_id: str, users: Iterable[str], now: datetime) -> None:
    """The group's members are exactly `users` now (another process may write the same row at once)."""
    members = _encoded(users)
    if insert_ignore(session, GroupMembers, team_id=team_id, group_id=group_id, members=members, fetched_at=now):
        return
    row = session.get(GroupMembers, {"team_id": team_id, "group_id": group_id}, with_for_update=True)
    if row is not None:
        row.members, row.fetched_at = members, now


def change_members(session: Session, team_id: str, group_id: str, added: Iterable[str], removed: Iterable[str]) -> bool:
    """People joined or left the group (`subteam_members_changed`); False if its members were never known."""
    row = session.get(GroupMembers, {"team_id": team_id, "group_id": group_id}, with_for_update=True)
    if row is None:
        return False
    row.members = _encoded((set(json.loads(row.members)) | set(added)) - set(removed))
    return True  # fetched_at stays: the full read every ten minutes still puts right what a lost event missed

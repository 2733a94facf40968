"""Each channel's standing list of open follow-ups (`ChannelList`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import ChannelList
from store.queries.common import insert_ignore


def channel_list(session: Session, team_id: str, channel_id: str) -> ChannelList | None:
    """The channel's list row, locked for the transaction, if it has one."""
    return session.scalars(
        select(ChannelList)
        .where(ChannelList.team_id == team_id, ChannelList.channel_id == channel_id)
        .with_for_update()
    ).one_or_none()


def has_list(session: Session, team_id: str, channel_id: str) -> bool:
    """Whether the channel's list is up in Slack."""
    found = session.scalar(
        select(ChannelList.ts).where(ChannelList.team_id == team_id, ChannelList.channel_id == channel_id)
    )
    return found is not None


def list_for_update(session: Session, team_id: str, channel_id: str) -> ChannelList:
    """The channel's list row (made, not yet posted, if it has none), locked for the transaction."""
    insert_ignore(session, ChannelList, team_id=team_id, channel_id=channel_id, version=0, shown=0, queued=False,
                  move=False)  # fmt: skip
    found = channel_list(session, team_id, channel_id)
    assert found is not None
    return found

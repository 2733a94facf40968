"""After a restart: Slack does not replay events missed while Dibs was down, so read the reactions back."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import flows
from bot.settings import Settings
from bot.tasks import DibsError
from store.models import CLAIMED, OPEN, Task, utcnow

log = logging.getLogger(__name__)


def _reactions(client: WebClient, channel_id: str, ts: str) -> list[dict]:
    try:
        answer = client.reactions_get(channel=channel_id, timestamp=ts, full=True)
    except SlackClientError as error:
        log.info("could not read reactions on %s/%s: %s", channel_id, ts, error)
        return []
    return list((answer.get("message") or {}).get("reactions") or [])


def _bot_user_id(client: WebClient) -> str | None:
    try:
        return str(client.auth_test().get("user_id") or "") or None
    except SlackClientError:
        return None


def recover_missed_reactions(
    client: WebClient, db: sessionmaker[Session], settings: Settings, max_age: timedelta = timedelta(days=30)
) -> int:
    """Record claims (and owners' done reactions) made while Dibs was down; returns how many it found."""
    with db.begin() as session:
        tasks = session.execute(
            select(Task.team_id, Task.id, Task.channel_id, Task.message_ts, Task.reply_ts).where(
                Task.status.in_((OPEN, CLAIMED)), Task.created_at >= utcnow() - max_age
            )
        ).all()
    found = 0
    bot_user = _bot_user_id(client)
    for team_id, task_id, channel_id, *stamps in tasks:
        claimers: list[str] = []
        finishers: list[str] = []
        for ts in filter(None, stamps):
            for reaction in _reactions(client, channel_id, ts):
                name = str(reaction.get("name", "")).split("::", 1)[0]
                users = [u for u in reaction.get("users", []) if u != bot_user]
                if name == settings.claim_reaction:
                    claimers += [u for u in users if u not in claimers]
                elif name == settings.done_reaction:
                    finishers += [u for u in users if u not in finishers]
        for user_id in claimers:
            outcome = flows.claim(db, team_id, task_id, user_id, "reaction", settings)
            if outcome.task is not None:
                found += 1
                flows.publish(client, db, settings, outcome)
        for user_id in finishers:
            try:
                outcome = flows.finish(db, settings, team_id, task_id, user_id, "reaction", link=None)
            except DibsError:
                continue  # not an owner, or proof needed: a reaction alone cannot finish it
            found += 1
            flows.publish(client, db, settings, outcome)
            break
    if found:
        log.info("recovered %s reaction(s) made while Dibs was down", found)
    return found

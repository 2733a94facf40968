"""After a restart: Slack does not replay events missed while Dibs was down, so read the reactions back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.delivery.outbox import ReplyTo
from bot.services import replies
from bot.services.groups import tell_not_claimer
from bot.slack.jobs import per_workspace
from bot.tasks.errors import DibsError, NotClaimer
from store.enums import Via
from store.queries.tasks import recent_active_stamps

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
Stamps = tuple[str, int, str, str | None, str | None]  # team, task id, channel, post ts, reply ts


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


def _reacting(
    client: WebClient, svc: Services, channel_id: str, stamps: list[str | None], bot_user: str | None
) -> tuple[list[str], list[str]]:
    """Who reacted with the claim emoji and who with the done emoji, on the post and on the reply."""
    claimers: list[str] = []
    finishers: list[str] = []
    for ts in filter(None, stamps):
        for reaction in _reactions(client, channel_id, ts):
            name = str(reaction.get("name", "")).split("::", 1)[0]
            users = [u for u in reaction.get("users", []) if u != bot_user]
            if name == svc.settings.claim_reaction:
                claimers += [u for u in users if u not in claimers]
            elif name == svc.settings.done_reaction:
                finishers += [u for u in users if u not in finishers]
    return claimers, finishers


def recover_missed_reactions(
    client_for: Callable[[str], WebClient | None], svc: Services, max_age: timedelta = timedelta(days=30)
) -> int:
    """Record claims (and owners' done reactions) made while Dibs was down, each workspace with its own
    token and in its own thread; returns how many it found."""
    with svc.read() as session:
        tasks = recent_active_stamps(session, since=svc.now() - max_age)

    def one_workspace(team_id: str, stamps: list[Stamps]) -> int:
        client = client_for(team_id)
        return _recover(client, svc, team_id, stamps) if client is not None else 0

    found = per_workspace(tasks, lambda stamp: stamp[0], one_workspace)
    if found:
        log.info("recovered %s reaction(s) made while Dibs was down", found)
    return found


def _recover(client: WebClient, svc: Services, team_id: str, tasks: list[Stamps]) -> int:
    found = 0
    bot_user = _bot_user_id(client)
    for _, task_id, channel_id, *stamps in tasks:
        claimers, finishers = _reacting(client, svc, channel_id, stamps, bot_user)
        for user_id in claimers:
            try:
                claimed = replies.claim(svc, team_id, task_id, user_id, Via.REACTION)
            except NotClaimer as refusal:  # not in the kind's claimer group: told once, like a live reaction
                tell_not_claimer(svc, ReplyTo(team_id, channel_id, user_id), refusal)
                continue
            if claimed.task is not None:
                found += 1
        for user_id in finishers:
            try:
                replies.finish(svc, team_id, task_id, user_id, Via.REACTION, None)
            except DibsError:
                continue  # not an owner, or proof needed: a reaction alone cannot finish it
            found += 1
            break
    return found

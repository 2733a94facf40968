"""Telling people what happened, after Slack's ack: the thread reply, direct messages, private notes."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.ownership.sync import sync_thread
from bot.services import Services
from bot.tasks.replies import Outcome

log = logging.getLogger(__name__)


def publish(client: WebClient, svc: Services, outcome: Outcome) -> None:
    """Update the task's thread and send the outcome's direct messages (call after the ack)."""
    if outcome.task is not None:
        sync_thread(client, svc, outcome.task.team_id, outcome.task.id)
    for user_id, text in outcome.direct_messages:
        try:
            client.chat_postMessage(channel=user_id, text=text)
        except SlackClientError as error:
            log.warning("could not send a direct message to %s: %s", user_id, error)


def tell_privately(client: WebClient, channel_id: str, user_id: str, text: str, thread_ts: str | None = None) -> None:
    """An ephemeral note to one person in a channel; failures are logged, never raised."""
    try:
        client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, thread_ts=thread_ts)
    except SlackClientError as error:
        log.warning("could not tell %s privately in %s: %s", user_id, channel_id, error)

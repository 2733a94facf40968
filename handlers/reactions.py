"""Reactions on a task's post or on Dibs's reply: claim, release, done."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.delivery.outbox import ReplyTo
from bot.services import AlreadyHandled, EventId, Services, replies
from bot.services.groups import tell_not_claimer
from bot.tasks.errors import DibsError, NeedsLink, NotClaimer
from store.enums import Via
from store.queries.tasks import task_id_by_ts

log = logging.getLogger(__name__)


def _emoji(name: str) -> str:
    # Skin tones arrive as "raising_hand::skin-tone-3"; they are the same claim.
    return name.split("::", 1)[0]


def _act(services: Services, emoji: str, added: bool, task_id: int, to: ReplyTo, event: EventId | None) -> None:
    if emoji == services.settings.claim_reaction:
        action = replies.claim if added else replies.release
        action(
            services, to.team_id, task_id, to.user_id, Via.REACTION, reply_to=to, event=event, seen_from=to.channel_id
        )
    elif added:
        replies.finish(
            services,
            to.team_id,
            task_id,
            to.user_id,
            Via.REACTION,
            None,
            reply_to=to,
            event=event,
            seen_from=to.channel_id,
        )
    # taking back a done reaction does not reopen a task


def handle_reaction(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """The claim emoji takes (or, removed, releases) a task; the done emoji finishes it."""
    settings = services.settings
    item = event.get("item") or {}
    emoji, added = _emoji(str(event.get("reaction", ""))), event.get("type") == "reaction_added"
    if item.get("type") != "message" or emoji not in (settings.claim_reaction, settings.done_reaction):
        return
    team_id, channel_id, user_id = str(body.get("team_id") or ""), str(item.get("channel")), str(event.get("user"))
    with services.read() as session:
        task_id = task_id_by_ts(session, team_id, channel_id, str(item.get("ts")))
    if task_id is None:
        return
    to = ReplyTo(team_id, channel_id, user_id)
    event_id = EventId(team_id, str(body["event_id"])) if body.get("event_id") else None
    try:
        _act(services, emoji, added, task_id, to, event_id)
    except AlreadyHandled:
        log.info("ignoring a repeated delivery of event %s", body.get("event_id"))
    except NeedsLink as error:
        replies.tell(services, ReplyTo(team_id, channel_id, user_id, str(item.get("ts"))), str(error))
    except NotClaimer as refusal:  # the reaction stays; they hear why once per task
        tell_not_claimer(services, to, refusal)
    except DibsError as error:
        # Reactions are often just reactions: stay quiet rather than scold.
        log.info("reaction by %s on #%s did nothing: %s", user_id, task_id, error)


def register(app: App) -> None:
    """Listen for reactions added and removed."""
    app.event("reaction_added")(handle_reaction)
    app.event("reaction_removed")(handle_reaction)

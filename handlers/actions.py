"""Buttons on the ownership thread, and the modal that asks for proof of done.

Each click is recorded and answered from the database; private notes, direct messages and the
modal go out through the outbox after Slack's 200.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App

from bot.delivery.outbox import ReplyTo, queue_call
from bot.services import Services
from bot.slack.ids import LINK_INPUT, ActionId, BlockId, CallbackId
from bot.slack.payloads import clean_text
from bot.tasks import replies
from bot.tasks.errors import DibsError, NeedsLink
from bot.tasks.views import build_done_link_modal
from store.enums import Purpose, Via

log = logging.getLogger(__name__)


def _task_id(body: dict[str, Any]) -> int:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    value = str(first.get("value") or "") if isinstance(first, dict) else ""
    if not value.isdigit() or len(value) > 9:
        log.warning("a button without a task id: %r", value[:40])
        raise DibsError("That button no longer works; `/dibs list` shows the tasks and their ids.")
    return int(value)


def _reply_to(body: dict[str, Any]) -> ReplyTo:
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    return ReplyTo(body["team"]["id"], channel, body["user"]["id"], container.get("thread_ts"))


def handle_claim_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "I'll take it": claim the task, or join its waitlist."""
    to = _reply_to(body)
    try:
        replies.claim(
            services, to.team_id, _task_id(body), to.user_id, Via.BUTTON, reply_to=to, seen_from=to.channel_id
        )
    except DibsError as error:
        replies.tell(services, to, str(error))
    ack()


def _ask_for_proof(services: Services, body: dict[str, Any], to: ReplyTo, missing: NeedsLink) -> None:
    """Queue the proof modal; if Slack will not open it (its trigger expires in 3 s), the note says how."""
    view = build_done_link_modal(missing.task, to.channel_id or missing.task.channel_id)
    with services.transaction() as tx:
        queue_call(
            tx, team_id=to.team_id, channel_id=to.channel_id, recipient=to.user_id, purpose=Purpose.MODAL,
            method="views.open", args={"trigger_id": body["trigger_id"], "view": view.to_dict()}, text=str(missing),
        )  # fmt: skip


def handle_done_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Done": finish the task, or open the modal that asks for proof."""
    to = _reply_to(body)
    try:
        replies.finish(
            services, to.team_id, _task_id(body), to.user_id, Via.BUTTON, None, reply_to=to, seen_from=to.channel_id
        )
    except NeedsLink as missing:
        _ask_for_proof(services, body, to, missing)
    except DibsError as error:
        replies.tell(services, to, str(error))
    ack()


def handle_done_link_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services) -> None:
    """The proof-of-done modal: finish with the link, or show why not in the modal."""
    meta = json.loads(view.get("private_metadata") or "{}")
    # Modal input arrives as typed: it is stored so, and escaped wherever it is shown.
    link = clean_text(view["state"]["values"][BlockId.LINK][LINK_INPUT].get("value") or "").strip()
    try:
        replies.finish(services, body["team"]["id"], int(meta["task"]), body["user"]["id"], Via.MODAL, link)
    except DibsError as error:
        ack(response_action="errors", errors={BlockId.LINK: str(error)[:150]})
        return
    ack()


def register(app: App) -> None:
    """Listen for the thread's buttons and the proof modal."""
    app.action(ActionId.CLAIM)(handle_claim_clicked)
    app.action(ActionId.DONE)(handle_done_clicked)
    app.view(CallbackId.DONE_LINK)(handle_done_link_submitted)

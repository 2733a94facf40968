"""Buttons on the ownership thread, and the modal that asks for proof of done."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.delivery.notify import publish, tell_privately
from bot.services import Services
from bot.slack.ids import LINK_INPUT, ActionId, BlockId, CallbackId
from bot.tasks import replies
from bot.tasks.errors import DibsError, NeedsLink
from bot.tasks.views import build_done_link_modal
from store.enums import Via

# An action on a task: (team, task id, user) -> what to tell whom.
TaskAction = Callable[[str, int, str], replies.Outcome]


def _task_id(body: dict[str, Any]) -> int:
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    if not value.isdigit():
        raise ValueError(f"button without a task id: {body.get('actions')}")
    return int(value)


def _channel(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def _run(client: WebClient, services: Services, body: dict[str, Any], act: TaskAction) -> None:
    """Act on the button's task; tell the person privately unless the thread says it all."""
    task_id = _task_id(body)
    try:
        outcome = act(body["team"]["id"], task_id, body["user"]["id"])
    except DibsError as error:
        outcome = replies.Outcome(str(error))
    channel = _channel(body)
    if not outcome.quiet and outcome.reply and channel:
        thread_ts = (body.get("container") or {}).get("thread_ts")
        tell_privately(client, channel, body["user"]["id"], outcome.reply, thread_ts=thread_ts)
    publish(client, services, outcome)


def handle_claim_clicked(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    """ "I'll take it": claim the task, or join its waitlist."""
    ack()
    _run(client, services, body, lambda team, task, user: replies.claim(services, team, task, user, Via.BUTTON))


def handle_done_clicked(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    """ "Done": finish the task, or open the modal that asks for proof."""
    ack()

    def finish_or_ask_for_proof(team: str, task_id: int, user: str) -> replies.Outcome:
        try:
            return replies.finish(services, team, task_id, user, Via.BUTTON, None)
        except NeedsLink as missing:
            channel = _channel(body) or missing.task.channel_id
            client.views_open(trigger_id=body["trigger_id"], view=build_done_link_modal(missing.task, channel))
            return replies.Outcome("", quiet=True)

    _run(client, services, body, finish_or_ask_for_proof)


def handle_done_link_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """The proof-of-done modal: finish with the link, or show why not in the modal."""
    meta = json.loads(view.get("private_metadata") or "{}")
    # Modal input arrives unescaped: escape it as Slack escapes message text, so a
    # "<!channel>" typed as proof cannot ping anyone when the thread shows it.
    raw = view["state"]["values"][BlockId.LINK][LINK_INPUT].get("value") or ""
    link = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    try:
        outcome = replies.finish(
            services, body["team"]["id"], int(meta["task"]), body["user"]["id"], Via.MODAL, link.strip()
        )
    except DibsError as error:
        ack(response_action="errors", errors={BlockId.LINK: str(error)[:150]})
        return
    ack()
    publish(client, services, outcome)


def register(app: App) -> None:
    """Listen for the thread's buttons and the proof modal."""
    app.action(ActionId.CLAIM)(handle_claim_clicked)
    app.action(ActionId.DONE)(handle_done_clicked)
    app.view(CallbackId.DONE_LINK)(handle_done_link_submitted)

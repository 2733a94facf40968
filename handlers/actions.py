"""Buttons on the ownership thread, and the modal that asks for proof of done."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import flows
from bot.ids import LINK_INPUT, ActionId, BlockId, CallbackId
from bot.tasks import DibsError, NeedsLink
from bot.views import build_done_link_modal

if TYPE_CHECKING:
    from bot.app import Dibs


def _task_id(body: dict[str, Any]) -> int | None:
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    return int(value) if value.isdigit() else None


def register(app: App, dibs: Dibs) -> None:
    db, settings = dibs.db, dibs.settings

    def answer(client: WebClient, body: dict[str, Any], outcome: flows.Outcome) -> None:
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if not outcome.quiet and outcome.reply and channel:
            thread_ts = (body.get("container") or {}).get("thread_ts")
            flows.tell_privately(client, channel, body["user"]["id"], outcome.reply, thread_ts=thread_ts)
        flows.publish(client, db, settings, outcome)

    def run(client: WebClient, body: dict[str, Any], act: Any) -> None:
        task_id = _task_id(body)
        if task_id is None:
            raise ValueError(f"button without a task id: {body.get('actions')}")
        try:
            outcome = act(body["team"]["id"], task_id, body["user"]["id"])
        except DibsError as error:
            outcome = flows.Outcome(str(error))
        answer(client, body, outcome)

    def handle_claim(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        run(client, body, lambda team, task, user: flows.claim(db, team, task, user, "button", settings))

    def handle_done(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def finish_or_ask_for_proof(team: str, task_id: int, user: str) -> flows.Outcome:
            try:
                return flows.finish(db, settings, team, task_id, user, "button", None)
            except NeedsLink as missing:
                channel = (body.get("channel") or {}).get("id") or missing.task.channel_id
                client.views_open(trigger_id=body["trigger_id"], view=build_done_link_modal(missing.task, channel))
                return flows.Outcome("", quiet=True)

        run(client, body, finish_or_ask_for_proof)

    def handle_done_link(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        # Modal input arrives unescaped: escape it as Slack escapes message text, so a
        # "<!channel>" typed as proof cannot ping anyone when the thread shows it.
        raw = view["state"]["values"][BlockId.LINK][LINK_INPUT].get("value") or ""
        link = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        try:
            outcome = flows.finish(
                db, settings, body["team"]["id"], int(meta["task"]), body["user"]["id"], "modal", link.strip()
            )
        except DibsError as error:
            ack(response_action="errors", errors={BlockId.LINK: str(error)[:150]})
            return
        ack()
        flows.publish(client, db, settings, outcome)

    app.action(ActionId.CLAIM)(handle_claim)
    app.action(ActionId.DONE)(handle_done)
    app.view(CallbackId.DONE_LINK)(handle_done_link)

"""What every request goes through: the services put in Bolt's context, and one error handler."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.delivery.calls import tell_asker
from bot.services import AlreadyHandled, EventId, Services, once_per
from bot.slack.payloads import event_channel, for_team, payload_problem, request_team
from store.queries.channels import watched

APOLOGY = "Sorry, something went wrong on my side; it has been logged. Please try again."
ELSEWHERE = "Dibs is installed in another workspace; ask an admin there to install it here."


def provide(services: Services) -> Callable[..., None]:
    """A middleware that puts `services` in Bolt's context, so listeners get it by name."""

    def add_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["services"] = services
        next()

    return add_services


def check_payload(body: dict[str, Any], next: Callable[[], None], logger: logging.Logger) -> BoltResponse | None:
    """A payload Dibs cannot act on (ids of the wrong shape, a reaction without a user) is logged and
    answered, and nothing is stored: an event gets 200 (Slack would only send it again), a command a sentence."""
    problem = payload_problem(body)
    if problem is None:
        next()
        return None
    logger.warning("ignored a %s request: %s", body.get("type") or "slash command", problem)
    if "command" in body:
        text = json.dumps({"response_type": "ephemeral", "text": "I could not read that request, so I did nothing."})
        return BoltResponse(status=200, body=text, headers={"content-type": "application/json"})
    return BoltResponse(status=200, body="")


def one_workspace(
    body: dict[str, Any], context: BoltContext, next: Callable[[], None], logger: logging.Logger
) -> BoltResponse | None:
    """With one bot token, a request from another workspace changes nothing: a command or click gets one
    sentence, an event a quiet 200. An event sent for the token's workspace (its `authorizations`) in a channel
    shared with it (Slack Connect) that it watches is that workspace's. With many workspaces,
    `refuse_other_workspaces` decides."""
    services: Services = context["services"]
    installed = context.authorize_result.team_id if context.authorize_result is not None else None
    team = request_team(body)
    if services.installs.many or not installed or not team or team == installed:
        next()
        return None
    if body.get("type") == "event_callback":
        channel = event_channel(body) if for_team(body, installed) else None
        if channel:
            with services.read() as session:
                shared = watched(session, installed, channel) is not None
            if shared:
                body["team_id"] = installed  # what the listeners read
                next()
                return None
        logger.info("ignored a %s event from workspace %s (Dibs is installed in %s)", body["event"]["type"], team,
                    installed)  # fmt: skip
        return BoltResponse(status=200, body="")
    logger.info("answered a request from workspace %s (Dibs is installed in %s)", team, installed)
    if body.get("type") == "view_submission":
        errors = json.dumps({"response_action": "errors", "errors": _every_block(body, ELSEWHERE)})
        return BoltResponse(status=200, body=errors, headers={"content-type": "application/json"})
    return _answer_privately(body, ELSEWHERE)


def _answer_privately(body: dict[str, Any], text: str) -> BoltResponse:
    """`text` for the person alone: a command's ephemeral answer, or at a click's response_url (from a thread of
    its own: no request waits on Slack); anything else gets an empty 200."""
    if "command" in body:
        answer = json.dumps({"response_type": "ephemeral", "text": text})
        return BoltResponse(status=200, body=answer, headers={"content-type": "application/json"})
    if isinstance(body.get("response_url"), str) and body["response_url"]:
        threading.Thread(target=tell_asker, args=(body["response_url"], text), daemon=True).start()
    return BoltResponse(status=200, body="")


def _every_block(body: dict[str, Any], text: str) -> dict[str, str]:
    """The modal's input blocks, each with `text` as its error (Slack shows errors only under inputs)."""
    values = ((body.get("view") or {}).get("state") or {}).get("values")
    return {str(block): text for block in values} if isinstance(values, dict) and values else {"": text}


def skip_replays(
    body: dict[str, Any], context: BoltContext, next: Callable[[], None], logger: logging.Logger
) -> BoltResponse | None:
    """The same signed command or click sent twice (within Slack's five minutes) acts once: its trigger id is
    recorded by the first write it makes (in the same transaction); a copy raises `AlreadyHandled` there, and
    is acknowledged and ignored (`log_and_apologise`)."""
    trigger = body.get("trigger_id")
    if body.get("type") == "event_callback" or not isinstance(trigger, str) or not trigger:
        next()
        return None
    team = str(body.get("team_id") or (body.get("team") or {}).get("id") or "")
    once_per(EventId(team, f"trigger:{trigger}"[:64]))
    next()
    return None


def log_and_apologise(error: Exception, body: dict[str, Any], logger: logging.Logger) -> BoltResponse | None:
    """The one error handler: a log line with the traceback, and a short apology to the person.

    A slash command gets the apology as its answer; a click gets it at its response_url (from a
    thread of its own: no request waits on Slack). An event keeps its 500, so Slack sends it again:
    what it meant was not recorded.
    """
    if isinstance(error, AlreadyHandled):
        logger.warning("ignored a second copy of the request with trigger %s", body.get("trigger_id"))
        return BoltResponse(status=200, body="")
    logger.exception("unhandled error while handling a %s request", body.get("type") or "slash command")
    if body.get("type") == "event_callback":
        return None
    return _answer_privately(body, APOLOGY)

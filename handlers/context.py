"""What every request goes through: the services put in Bolt's context, Slack's retries skipped,
and one error handler that logs and apologises."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse, Respond

from bot.intake.channels import first_delivery
from bot.services import Services

APOLOGY = "Sorry, something went wrong on my side; it has been logged. Please try again."


def provide(services: Services) -> Callable[..., None]:
    """A middleware that puts `services` in Bolt's context, so listeners get it by name."""

    def add_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["services"] = services
        next()

    return add_services


def skip_retried_events(
    body: dict[str, Any], context: BoltContext, next: Callable[[], None], logger: logging.Logger
) -> BoltResponse | None:
    """Slack redelivers an event it thinks we missed; act on each event_id once."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    services: Services = context["services"]
    if event_id and not first_delivery(services, str(body.get("team_id") or ""), str(event_id)):
        logger.info("ignoring a repeated delivery of event %s", event_id)
        return BoltResponse(status=200, body="")
    next()
    return None


def log_and_apologise(error: Exception, body: dict[str, Any], logger: logging.Logger, respond: Respond) -> None:
    """The one error handler: a log line with the traceback, and a short apology to the person."""
    logger.exception("unhandled error while handling a %s request", body.get("type") or "slash command")
    if body.get("response_url"):
        try:
            respond(text=APOLOGY, response_type="ephemeral", replace_original=False)
        except Exception:
            logger.warning("could not send the apology either")

"""What every request goes through: the services put in Bolt's context, and one error handler."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.delivery.calls import tell_asker
from bot.services import Services

APOLOGY = "Sorry, something went wrong on my side; it has been logged. Please try again."


def provide(services: Services) -> Callable[..., None]:
    """A middleware that puts `services` in Bolt's context, so listeners get it by name."""

    def add_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["services"] = services
        next()

    return add_services


def log_and_apologise(error: Exception, body: dict[str, Any], logger: logging.Logger) -> BoltResponse | None:
    """The one error handler: a log line with the traceback, and a short apology to the person.

    A slash command gets the apology as its answer; a click gets it at its response_url (from a
    thread of its own: no request waits on Slack). An event keeps its 500, so Slack sends it again:
    what it meant was not recorded.
    """
    logger.exception("unhandled error while handling a %s request", body.get("type") or "slash command")
    if body.get("command"):
        apology = json.dumps({"response_type": "ephemeral", "text": APOLOGY})
        return BoltResponse(status=200, body=apology, headers={"content-type": "application/json"})
    if body.get("type") == "event_callback":
        return None
    if body.get("response_url"):
        threading.Thread(target=tell_asker, args=(body["response_url"], APOLOGY), daemon=True).start()
    return BoltResponse(status=200, body="")

"""Add and Dismiss on a suggested phrase (an admin's Home tab): the phrase becomes the kind's in this workspace,
or is not suggested again; the tab is published again with what happened on top."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.installs.phrases import decide
from bot.services import Services
from bot.services.home import tell_on_home
from bot.slack.ids import ActionId
from bot.tasks.errors import DibsError
from handlers import clicks


def _decided(services: Services, body: dict[str, Any], add: bool) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    kind, _, words = clicks.button_value(body).partition("\n")
    try:
        said = decide(services, team_id, user_id, kind, words, add)
    except DibsError as error:
        said = str(error)
    tell_on_home(services, team_id, user_id, said)


def handle_phrase_added(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Add": the suggested phrase is the kind's here from now on."""
    _decided(services, body, add=True)
    ack()


def handle_phrase_dismissed(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Dismiss": the phrase is not suggested again."""
    _decided(services, body, add=False)
    ack()


def register(app: App) -> None:
    """Listen for Add and Dismiss on suggested phrases."""
    app.action(ActionId.ADD_PHRASE)(handle_phrase_added)
    app.action(ActionId.DISMISS_PHRASE)(handle_phrase_dismissed)

"""Bolt listeners, one module per Slack surface; each parses, calls one service, answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from handlers import actions, commands, events, home, reactions

if TYPE_CHECKING:
    from bot.app import Dibs


def register_listeners(app: App, dibs: Dibs) -> None:
    """Attach every listener Dibs has to `app`."""
    for surface in (events, reactions, actions, commands, home):
        surface.register(app, dibs)

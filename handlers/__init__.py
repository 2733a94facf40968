"""Bolt listeners as module-level functions, one module per Slack surface; each parses, calls one
service, answers. `register_listeners(app, services)` wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import actions, commands, context, events, home, lifecycle, people, phrases, reactions, shortcuts


def register_listeners(app: App, services: Services) -> None:
    """Attach the middleware and every listener Dibs has to `app`."""
    app.use(context.provide(services))
    app.use(context.check_payload)
    app.use(context.one_workspace)
    app.use(context.skip_replays)
    app.error(context.log_and_apologise)
    for surface in (events, reactions, actions, shortcuts, commands, home, lifecycle, phrases, people):
        surface.register(app)

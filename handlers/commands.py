"""`/dibs`: parse the text, call one service, answer the caller privately."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import flows
from bot.channels import set_muted, unwatch_channel, watch_channel
from bot.commands import Command, UsageError, parse_command
from bot.policy import local_day
from bot.schedule import digest_on_demand
from bot.settings import parse_duration
from bot.tasks import DibsError, list_tasks
from bot.views import build_help, build_task_list
from store.models import utcnow

if TYPE_CHECKING:
    from bot.app import Dibs

log = logging.getLogger(__name__)


def cannot_post(respond: Respond, error: SlackApiError) -> None:
    """Tell the caller why Slack refused a post in their channel, and how to fix it."""
    respond(
        text=f"Slack would not let me post here ({error.response.get('error')}). "
        "Invite me with `/invite @Dibs` and try again.",
        response_type="ephemeral",
    )


def register(app: App, dibs: Dibs) -> None:
    db, settings = dibs.db, dibs.settings

    def watch(team: str, channel: str, user: str) -> str:
        if not watch_channel(db, team, channel, user):
            return f"I already watch <#{channel}>. `/dibs unwatch` stops it."
        return f"Watching <#{channel}>: posts about {', '.join(sorted(settings.kinds))} get an ownership thread."

    def join(channel: str, client: WebClient, respond: Respond) -> None:
        try:
            client.conversations_join(channel=channel)
        except SlackApiError as error:
            log.info("could not join %s: %s", channel, error.response.get("error"))
            respond(
                text=f"I could not join <#{channel}> by myself (private channels need an invite): "
                "`/invite @Dibs` so I can see its posts.",
                response_type="ephemeral",
            )

    def run(cmd: Command, team: str, channel: str, user: str) -> flows.Outcome:
        assert cmd.task_id is not None
        if cmd.name == "claim":
            return flows.claim(db, team, cmd.task_id, user, "command", settings)
        if cmd.name == "release":
            return flows.release(db, team, cmd.task_id, user, "command", settings)
        if cmd.name == "done":
            return flows.finish(db, settings, team, cmd.task_id, user, "command", cmd.rest or None)
        if cmd.name == "snooze":
            return flows.snooze(db, team, cmd.task_id, user, parse_duration("snooze", cmd.rest))
        if cmd.name == "due":
            due_on = None if cmd.rest == "none" else date.fromisoformat(cmd.rest)
            return flows.set_due(db, settings, team, cmd.task_id, user, due_on)
        assert cmd.user is not None
        return flows.assign(db, team, cmd.task_id, user, cmd.user, "command", settings)

    def handle_dibs(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
        try:
            cmd = parse_command(command.get("text") or "")
        except UsageError as error:
            ack(text=build_help(settings, str(error)))
            return
        if cmd.name == "help":
            ack(text=build_help(settings))
        elif cmd.name == "watch":
            ack(text=watch(team, channel, user))
            join(channel, client, respond)
        elif cmd.name == "unwatch":
            gone = unwatch_channel(db, team, channel)
            ack(
                text=f"Stopped watching <#{channel}>; its open tasks stay open."
                if gone
                else f"I was not watching <#{channel}>."
            )
        elif cmd.name in ("mute", "unmute"):
            muted = cmd.name == "mute"
            if not set_muted(db, team, channel, muted):
                ack(text=f"I don't watch <#{channel}>, so there is nothing to {cmd.name}. `/dibs watch` starts.")
            elif muted:
                ack(text=f"Reminders in <#{channel}> are paused; threads and the digest go on. `/dibs unmute` resumes.")
            else:
                ack(text=f"Reminders in <#{channel}> are back on.")
        elif cmd.name == "digest":
            message = digest_on_demand(db, settings, team, channel, utcnow(), preview=cmd.rest == "preview")
            if cmd.rest == "preview":
                ack(**message.as_kwargs())  # type: ignore[arg-type]
                return
            ack()
            try:
                client.chat_postMessage(channel=channel, unfurl_links=False, **message.as_kwargs())  # type: ignore[arg-type]
            except SlackApiError as error:
                cannot_post(respond, error)
        elif cmd.name == "list":
            tasks, total = list_tasks(db, team, cmd.rest, user)  # type: ignore[arg-type]
            ack(**build_task_list(cmd.rest, tasks, total, local_day(utcnow(), settings)).as_kwargs())  # type: ignore[arg-type]
        elif cmd.name == "new":
            try:
                kind = flows.kind_named(settings, cmd.kind)
            except DibsError as error:
                ack(text=str(error))
                return
            ack()
            try:
                outcome = flows.new_task(client, db, settings, team, channel, user, kind, cmd.rest)
            except SlackApiError as error:
                cannot_post(respond, error)
                return
            respond(text=outcome.reply, response_type="ephemeral")
            flows.publish(client, db, settings, outcome)
        else:
            try:
                outcome = run(cmd, team, channel, user)
            except DibsError as error:
                ack(text=str(error))
                return
            ack(text=outcome.reply)
            flows.publish(client, db, settings, outcome)

    app.command("/dibs")(handle_dibs)

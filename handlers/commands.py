"""`/dibs`: parse the text into a typed command, call one service, answer the caller privately.

Every answer comes from the database in the ack itself; what Dibs posts in the channel (a
`/dibs new` announcement, a digest, joining the channel) goes through the outbox after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.digest.plan import post_digest_now
from bot.editor.gift_view import build_gift_list
from bot.editor.task_views import build_task_list
from bot.editor.texts import feeds_text
from bot.gifts.service import campaign_with_recipients, link_platform, mark_by_name
from bot.installs.phrases import decide as decide_phrase
from bot.installs.settings import change_setting, route, settings_text
from bot.intake.channels import set_muted, unwatch_channel, watch_channel
from bot.intake.feeds import add_channel_feed, channel_feeds, remove_channel_feed
from bot.services import Services, replies
from bot.services.calendars import calendar_command
from bot.services.insight import request_export, stats_answer
from bot.services.lists import digest_on_demand
from bot.settings.labels import kind_in_sentence, kinds_in_sentence
from bot.slack import commands as cmd
from bot.slack.command_parser import parse_command
from bot.slack.date_commands import day_from
from bot.slack.help import build_help
from bot.slack.text import escape
from bot.staffing.seating import NOT_A_PERSON
from bot.tasks.errors import DibsError
from bot.tasks.kinds import kind_and_title, kind_named
from bot.tasks.service import list_tasks
from bot.timing import local_day
from store.enums import GiftState, Via
from store.queries.tasks import ListFilter


@dataclass(frozen=True)
class Caller:
    """Who typed `/dibs`, where, and how to answer them."""

    team: str
    channel: str
    user: str
    response_url: str | None
    private: bool  # the command was typed in a private channel
    ack: Ack
    services: Services
    dibs: str | None = None  # Dibs's own user id


def _watch(c: Caller) -> None:
    kinds = kinds_in_sentence(c.services.settings)
    if watch_channel(c.services, c.team, c.channel, c.user, c.response_url, c.private):
        c.ack(text=f"Watching <#{c.channel}>: posts about {kinds} get an ownership thread.")
    else:
        c.ack(text=f"I already watch <#{c.channel}>. `/dibs unwatch` stops it.")


def _unwatch(c: Caller) -> None:
    if unwatch_channel(c.services, c.team, c.channel, c.user):
        c.ack(text=f"Stopped watching <#{c.channel}>; its open tasks stay open.")
    else:
        c.ack(text=f"I was not watching <#{c.channel}>.")


def _mute(c: Caller, muted: bool) -> None:
    word = "mute" if muted else "unmute"
    if not set_muted(c.services, c.team, c.channel, c.user, muted):
        c.ack(text=f"I don't watch <#{c.channel}>, so there is nothing to {word}. `/dibs watch` starts.")
    elif muted:
        c.ack(text=f"Reminders in <#{c.channel}> are paused; threads and the digest go on. `/dibs unmute` resumes.")
    else:
        c.ack(text=f"Reminders in <#{c.channel}> are back on.")


def _digest(c: Caller, preview: bool) -> None:
    if preview:
        message = digest_on_demand(c.services, c.team, c.channel, c.services.now(), preview=True)
        c.ack(**message.as_kwargs())  # type: ignore[arg-type]
        return
    post_digest_now(c.services, c.team, c.channel, c.services.now())
    c.ack()


def _list(c: Caller, which: ListFilter, kind: str | None) -> None:
    if kind is not None:
        kind = kind_named(c.services.settings, kind).name  # an unknown kind says which there are
    with c.services.read() as session:
        tasks, total = list_tasks(session, c.team, which, c.user, seen_from=c.channel, kind=kind)
        here = c.services.settings_for(c.team, session)
    now = c.services.now()
    c.ack(**build_task_list(which, tasks, total, now, local_day(now, here), here).as_kwargs())  # type: ignore[arg-type]


def _new(c: Caller, kind_name: str, title: str) -> None:
    kind, title = kind_and_title(c.services.settings, kind_name, title)
    outcome = replies.new_task(c.services, c.team, c.channel, c.user, kind, title, c.response_url, c.private)
    c.ack(text=outcome.reply)


def _feeds(c: Caller, command: cmd.Command) -> str:
    """`/dibs feeds`, `/dibs feed add`, `/dibs feed remove`."""
    svc, team, channel = c.services, c.team, c.channel
    match command:
        case cmd.AddFeed(url, kind):
            added = add_channel_feed(svc, team, channel, c.user, url, kind)
            where = f"<#{channel}>"
            if not added:
                return f"{where} already reads {escape(url)}."
            label = kind_in_sentence(svc.settings, kind_named(svc.settings, kind).name)
            return f"New items of {escape(url)} will be announced in {where} as {label} tasks (not the ones there now)."
        case cmd.RemoveFeed(url):
            if remove_channel_feed(svc, team, channel, c.user, url):
                return f"<#{channel}> no longer reads {escape(url)}."
            return f"<#{channel}> has no feed {escape(url)} added from Slack (feeds in the settings file stay)."
    return feeds_text(channel_feeds(svc, team, channel), c.services.now(), channel, svc.settings)


def _on_task(c: Caller, command: cmd.Command) -> replies.Outcome:
    """The subcommands that act on one task."""
    svc, team, user, here = c.services, c.team, c.user, c.channel
    match command:
        case cmd.Claim(task_id, seat):
            return replies.claim(svc, team, task_id, user, Via.COMMAND, seen_from=here, seat=seat)
        case cmd.Roles(task_id, counts):
            return replies.set_roles(svc, team, task_id, user, list(counts), here)
        case cmd.When(task_id, words, hours, place):
            day = day_from(words, "when", task_id, svc.now(), svc.settings_for(team))
            return replies.set_when(svc, team, task_id, user, day, hours, place, here)
        case cmd.Assign(_, target) | cmd.Swap(_, target, _) if c.dibs is not None and target == c.dibs:
            raise DibsError(NOT_A_PERSON)  # Dibs can't be handed a task or a seat
        case cmd.Swap(task_id, to_user, None):
            return replies.ask_swap(svc, team, task_id, user, to_user, here)
        case cmd.Swap(task_id, to_user, from_user):
            assert from_user is not None
            return replies.take_over(svc, team, task_id, user, from_user, to_user, here)
        case cmd.Release(task_id):
            return replies.release(svc, team, task_id, user, Via.COMMAND, seen_from=here)
        case cmd.Done(task_id, proof):
            return replies.finish(svc, team, task_id, user, Via.COMMAND, proof, seen_from=here)
        case cmd.Assign(task_id, target):
            return replies.assign(svc, team, task_id, user, target, Via.COMMAND, seen_from=here)
        case cmd.Snooze(task_id, pause):
            return replies.snooze(svc, team, task_id, user, pause, seen_from=here)
        case cmd.SetDue(task_id, due):
            due_on = None if due is None else day_from(due, "due", task_id, svc.now(), svc.settings_for(team))
            return replies.set_due(svc, team, task_id, user, due_on, seen_from=here)
    raise AssertionError(f"not a task command: {command!r}")


def _dispatch(c: Caller, command: cmd.Command) -> None:
    match command:
        case cmd.Help(everything):
            c.ack(text=build_help(c.services.settings, everything))
        case cmd.Watch():
            _watch(c)
        case cmd.Unwatch():
            _unwatch(c)
        case cmd.Mute(muted):
            _mute(c, muted)
        case cmd.Digest(preview):
            _digest(c, preview)
        case cmd.ListTasks(which, kind):
            _list(c, which, kind)
        case cmd.ListFeeds() | cmd.AddFeed() | cmd.RemoveFeed():
            c.ack(text=_feeds(c, command))
        case cmd.ListCalendars() | cmd.AddCalendar() | cmd.RemoveCalendar():
            c.ack(text=calendar_command(c.services, c.team, c.channel, c.user, command))
        case cmd.Stats(days, everywhere, detail):
            answer = stats_answer(c.services, c.team, c.channel, days, everywhere, detail)
            c.ack(**answer.as_kwargs())  # type: ignore[arg-type]
        case cmd.Export(days, here_only):
            c.ack(text=request_export(c.services, c.team, c.channel, c.user, days, here_only, c.response_url))
        case cmd.Route(kind, group, claimers):
            c.ack(text=route(c.services, c.team, c.user, kind, group, claimers))
        case cmd.ShowSettings():
            c.ack(text=settings_text(c.services, c.team, c.user))
        case cmd.ChangeSetting(key, value):
            c.ack(text=change_setting(c.services, c.team, c.user, key, value))
        case cmd.KindPhrase(kind, words, add):
            c.ack(text=decide_phrase(c.services, c.team, c.user, kind, words, add))
        case cmd.Gifts(task_id):
            campaign, recipients, links = campaign_with_recipients(c.services, c.team, task_id, c.channel)
            c.ack(**build_gift_list(campaign, recipients, links).as_kwargs())  # type: ignore[arg-type]
        case cmd.MarkGift(task_id, state, name):
            c.ack(text=mark_by_name(c.services, c.team, task_id, c.user, GiftState(state), name, c.channel))
        case cmd.LinkGifts(task_id, source, batch_id):
            c.ack(text=link_platform(c.services, c.team, task_id, c.user, source, batch_id, c.channel))
        case cmd.NewTask(kind, title):
            _new(c, kind, title)
        case _:
            outcome = _on_task(c, command)
            if outcome.undo is None:
                c.ack(text=outcome.reply)
            else:  # the answer carries its Undo button
                c.ack(**outcome.as_message().as_kwargs())  # type: ignore[arg-type]


def handle_dibs(ack: Ack, command: dict[str, Any], context: BoltContext, services: Services) -> None:
    """`/dibs …`: for what Dibs cannot parse or a rule broken, a one-sentence answer with the form that works."""
    channel = command["channel_id"]
    private = command.get("channel_name") == "privategroup" or channel.startswith("G")
    caller = Caller(
        command["team_id"], channel, command["user_id"], command.get("response_url"), private, ack, services,
        context.bot_user_id,
    )  # fmt: skip
    try:
        parsed = parse_command(command.get("text") or "")
    except cmd.UsageError as error:  # one sentence and the one form that works, never the whole help
        ack(text=str(error))
        return
    try:
        _dispatch(caller, parsed)
    except DibsError as error:
        ack(text=str(error))


def register(app: App) -> None:
    """Listen for `/dibs`."""
    app.command("/dibs")(handle_dibs)

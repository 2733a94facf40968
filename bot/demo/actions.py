"""The visitor's actions: each is recorded as Slack would show it and sent to the bot as Slack sends it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import OffsetClock
from bot.demo.record import Record
from bot.demo.standin import StandIn
from bot.demo.visitor import Bot, block_action, message_event, new_id, reaction_event, slack_text
from bot.demo.world import BOT_ID, BOT_USER, CHANNELS, PEOPLE, TEAM
from bot.fakeslack import Message, dm_channel
from bot.settings import Settings

MOVES = ("hour", "day")


class ActionError(ValueError):
    """The page asked for something the demo cannot do (an unknown person, channel or message)."""


@dataclass
class Demo:
    """The record, the Web API stand-in, the bot's address and the demo clock, and what a visitor can do."""

    record: Record
    standin: StandIn
    bot: Bot
    clock: OffsetClock
    tick: Callable[[datetime], None]  # the scheduler's pass at a moment (reminders, digests)
    response_url: str  # where the bot answers slash commands and clicks later (the page serves it)
    # The workspace's settings as the bot reads them now: its time zone, working days, digest time.
    settings: Callable[[], Settings] = Settings

    @staticmethod
    def person(user: object) -> str:
        """A person's id, checked."""
        if not any(p.id == user for p in PEOPLE):
            raise ActionError(f"nobody is called {user!r} here")
        return str(user)

    def _message(self, channel: object, ts: object) -> Message:
        with self.record.changed:
            found = self.record.find(str(channel), str(ts))
        if found is None:
            raise ActionError("that message is gone")
        return found

    def post(self, user: str, channel: str, typed: str, thread_ts: str | None = None) -> str:
        """A person posts in a channel (or a thread); the bot hears a message event."""
        if channel not in CHANNELS:
            raise ActionError(f"there is no channel {channel!r}")
        text = slack_text(typed.strip()[:4000])
        with self.record.changed:
            ts = self.standin.api.post(channel, user, text, thread_ts=thread_ts).ts
            self.record.touch()
        self.bot.event(message_event(user, channel, text, ts, thread_ts))
        return ts

    def share_file(self, user: str, channel: str, thread_ts: str, name: str, content: str) -> None:
        """A person shares a file in a thread (a CSV of gift recipients, say)."""
        file_id = new_id("F")
        file = {"id": file_id, "name": name, "filetype": name.rsplit(".")[-1], "title": name}
        with self.record.changed:
            self.record.files[file_id] = {"name": name, "content": content}
            ts = self.standin.api.post(channel, user, "", thread_ts=thread_ts, files=[file], subtype="file_share").ts
            self.record.touch()
        event = message_event(user, channel, "", ts, thread_ts)
        self.bot.event({**event, "subtype": "file_share", "files": [file]})

    def react(self, user: str, channel: str, ts: str, name: str) -> None:
        """A person adds a reaction, or takes theirs back."""
        message = self._message(channel, ts)
        with self.record.changed:
            users = message.reactions.setdefault(name, [])
            added = user not in users
            users.append(user) if added else users.remove(user)
            self.record.touch()
        self.bot.event(reaction_event(added, user, channel, ts, name, message.user))

    def command(self, user: str, channel: str, typed: str, thread_ts: str | None = None) -> None:
        """A person types `/dibs …`: the answer in the ack is a note only they see."""
        words = typed.strip()
        text = slack_text(words.removeprefix("/dibs").strip(), command=True)
        trigger = self._trigger(user)
        key = json.dumps([channel, user, thread_ts])
        status, body = self.bot.command(user, channel, text, f"{self.response_url}?to={_quote(key)}", trigger)
        answer = _json(body) if status == 200 else {"text": f"The bot answered {status}: {body[:200]}"}
        if answer or status != 200:
            self.answer(channel, user, thread_ts, answer, command=words)

    def answer(
        self, channel: str, user: str, thread_ts: str | None, answer: dict[str, Any], command: str | None = None
    ) -> None:
        """What the bot said to one person (an ack's body, a post to a response_url)."""
        text, blocks = str(answer.get("text") or ""), list(answer.get("blocks") or [])
        private = {} if answer.get("response_type") == "in_channel" else {"visible_to": user, "command": command}
        with self.record.changed:
            self.standin.api.post(channel, BOT_USER, text, blocks=blocks, thread_ts=thread_ts, **private)
            self.record.touch()

    def _trigger(self, user: str) -> str:
        trigger = f"{new_id('')}.{new_id('')}"
        with self.record.changed:
            self.standin.api.triggers[trigger] = user
        return trigger

    def click(self, user: str, where: dict[str, Any], action: dict[str, Any]) -> None:
        """A click on a button or a menu choice in a message, a note or the Home tab."""
        trigger = self._trigger(user)
        if where.get("view") == "home":
            home = {"type": "view", "view_id": f"VHOME{user}"}
            view = self.record.homes.get(user)
            self.bot.interactive(block_action(user, home, action, trigger_id=trigger, view=view))
            return
        channel, ts = str(where.get("channel")), str(where.get("ts"))
        message = self._message(channel, ts)
        to = json.dumps([channel, user, message.thread_ts])
        container: dict[str, Any] = {"type": "message", "message_ts": ts, "channel_id": channel,
                                     "is_ephemeral": bool(message.visible_to)}  # fmt: skip
        extra: dict[str, Any] = {"channel": {"id": channel, "name": CHANNELS.get(channel, "directmessage")},
                                 "response_url": f"{self.response_url}?to={_quote(to)}"}  # fmt: skip
        if message.thread_ts:
            container["thread_ts"] = message.thread_ts
        if not message.visible_to:
            extra["message"] = {**message.as_slack(), "bot_id": BOT_ID, "team": TEAM}
        self.bot.interactive(block_action(user, container, action, trigger_id=trigger, **extra))

    def submit(self, user: str, values: dict[str, Any]) -> dict[str, Any]:
        """The person's open modal, submitted: closed, or left open with the errors the bot gave."""
        with self.record.changed:
            view = self.record.modals.get(user)
        if view is None:
            raise ActionError("no form is open")
        payload = {
            "type": "view_submission",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "trigger_id": self._trigger(user),
            "view": {**view, "state": {"values": values}},
        }
        status, body = self.bot.interactive(payload)
        answer = _json(body) if status == 200 else {}
        if answer.get("response_action") == "errors":
            return {"errors": answer.get("errors") or {}}
        self.close(user)
        return {}

    def close(self, user: str) -> None:
        """The person closes their modal."""
        with self.record.changed:
            self.record.modals.pop(user, None)
            self.record.touch()

    def open_home(self, user: str) -> None:
        """The person opens Dibs's Home tab (app_home_opened)."""
        self.bot.event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": dm_channel(user),
                "tab": "home",
                "event_ts": f"{self.clock.now().timestamp():.6f}",
            }
        )

    def shortcut(self, user: str, channel: str, ts: str) -> None:
        """ "Track with Dibs" on a message (a message shortcut)."""
        message = self._message(channel, ts)
        self.bot.interactive(
            {
                "type": "message_action",
                "callback_id": "dibs_track",
                "trigger_id": self._trigger(user),
                "action_ts": f"{self.clock.now().timestamp():.6f}",
                "message_ts": ts,
                "user": {"id": user, "name": user.lower()},
                "channel": {"id": channel, "name": CHANNELS.get(channel, "")},
                "message": message.as_slack(),
                "response_url": self.response_url,
            }
        )

    def advance(self, step: str) -> None:
        """Move the demo clock on (+1 hour, or +1 day: to the next working morning, when the morning edition is
        posted) and run the scheduler's pass at the new time."""
        if step not in MOVES:
            raise ActionError(f"the clock moves by {' or '.join(MOVES)}")
        before = self.clock.now()
        later = before + timedelta(hours=1) if step == "hour" else next_morning(before, self.settings())
        now = self.clock.advance(later - before)
        with self.record.changed:
            self.record.offset_seconds = self.clock.offset.total_seconds()
            self.record.touch()
        self.tick(now)


def next_morning(now: datetime, settings: Settings) -> datetime:
    """The next working day after `now`'s (a digest day; without digests, a working-hours day) at `digest.at`,
    in the workspace's time zone: where "+1 day" takes the demo, so the morning edition is what it shows."""
    days = settings.digest.days or (
        frozenset(range(7)) if settings.working_hours.always else settings.working_hours.days
    )
    day = now.astimezone(settings.tz).date() + timedelta(days=1)
    while day.weekday() not in days:
        day += timedelta(days=1)
    return datetime.combine(day, settings.digest.at, tzinfo=settings.tz)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _json(body: str) -> dict[str, Any]:
    try:
        loaded = json.loads(body) if body.strip() else {}
    except ValueError:
        return {"text": body}
    return loaded if isinstance(loaded, dict) else {}

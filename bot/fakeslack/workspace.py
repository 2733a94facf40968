"""What a Slack workspace holds, as the fake Web API keeps it: messages (in channels, threads and DMs, and the
private notes only one person sees), the channels the bot is in, Home tabs, open modals and shared files.

Not thread-safe: whoever calls the Web API holds its own lock around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any


def ts_key(ts: str) -> tuple[int, int]:
    """A message ts in the order Slack sorts them."""
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros or 0)


def dm_channel(user_id: str) -> str:
    """The id of the direct-message conversation between the bot and `user_id` (D…, as Slack answers)."""
    return "D" + user_id[1:]


@dataclass
class Message:
    """A message as Slack shows it: in a channel or a thread, or to one person only (`visible_to`)."""

    ts: str
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    visible_to: str | None = None  # an ephemeral message, a note only this person sees
    command: str | None = None  # the /dibs command an ephemeral answer answers
    metadata: dict[str, Any] | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    subtype: str | None = None
    bot_id: str | None = None  # set on what a bot posted
    extra: dict[str, Any] = field(default_factory=dict)  # anything else Slack keeps (client_msg_id, …)

    def as_slack(self) -> dict[str, Any]:
        """The message as the Web API returns it (conversations.history and .replies)."""
        shown: dict[str, Any] = {**self.extra, "type": "message", "ts": self.ts, "user": self.user, "text": self.text}
        for key in ("blocks", "thread_ts", "metadata", "files", "subtype", "bot_id"):
            if getattr(self, key):
                shown[key] = getattr(self, key)
        return shown

    @classmethod
    def from_slack(cls, channel: str, message: dict[str, Any]) -> Message:
        """A message in the Web API's shape (what conversations.history would return), kept in `channel`."""
        known = {f.name for f in fields(cls)} - {"channel", "reactions", "visible_to", "command", "extra"}
        given = {k: v for k, v in message.items() if k in known}
        extra = {k: v for k, v in message.items() if k not in known and k not in ("type", "channel")}
        return cls(**{"user": "", "text": "", **given}, channel=channel, extra=extra)


@dataclass(frozen=True)
class Directory:
    """Every channel (id -> name) and person (id -> name) of a closed workspace (the demo's); without one, a
    workspace is open (the tests'): any channel, person or message asked about exists, unknown to the fake."""

    channels: dict[str, str]
    people: dict[str, str] = field(default_factory=dict)


@dataclass
class Workspace:
    """Slack's state: every message, the channels the bot is in, each person's Home tab and open modal, files."""

    messages: list[Message] = field(default_factory=list)
    members: set[str] = field(default_factory=set)  # channels the bot is in
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)
    modals: dict[str, dict[str, Any]] = field(default_factory=dict)  # per person: the open modal
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> name and content (str or bytes)
    last_ts: str = "0.000000"

    def next_ts(self, now: datetime) -> str:
        """A fresh message ts at `now` (later than every one before it)."""
        seconds, micros = ts_key(self.last_ts)
        fresh = max(int(now.timestamp() * 1_000_000), seconds * 1_000_000 + micros + 1)
        self.last_ts = f"{fresh // 1_000_000}.{fresh % 1_000_000:06d}"
        return self.last_ts

    def find(self, channel: str, ts: str) -> Message | None:
        """The message `ts` in `channel` (newest first: the one asked about is most often recent)."""
        return next((m for m in reversed(self.messages) if m.ts == ts and m.channel == channel), None)

    def visible(self, channel: str) -> list[Message]:
        """Everything in `channel` that everyone there sees (no private notes)."""
        return [m for m in self.messages if m.channel == channel and m.visible_to is None]

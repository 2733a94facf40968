"""The stand-in's record: every message, reaction, private note, Home tab and modal Slack would show,
kept in memory and in `dibs-demo.json` beside the demo's database, so a restart picks up where it was."""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


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

    def as_slack(self) -> dict[str, Any]:
        """The message as the Web API returns it (conversations.history and .replies)."""
        shown: dict[str, Any] = {"type": "message", "ts": self.ts, "user": self.user, "text": self.text}
        for key in ("blocks", "thread_ts", "metadata", "files", "subtype"):
            if getattr(self, key):
                shown[key] = getattr(self, key)
        return shown


def ts_key(ts: str) -> tuple[int, int]:
    """A message ts in the order Slack sorts them."""
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros or 0)


@dataclass
class Record:
    """Everything the page shows, with a version that moves on at each change (the page waits on it)."""

    path: Path | None = None
    messages: list[Message] = field(default_factory=list)
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)
    modals: dict[str, dict[str, Any]] = field(default_factory=dict)  # per person: the open modal
    members: set[str] = field(default_factory=set)  # channels Dibs is in
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=200))
    offset_seconds: float | None = None  # the demo clock's lead on real time
    version: int = 0
    last_ts: str = "0.000000"
    changed: threading.Condition = field(default_factory=threading.Condition)

    def next_ts(self, now: datetime) -> str:
        """A fresh message ts at `now` (later than every one before it). Call with `changed` held."""
        micros = max(
            int(now.timestamp() * 1_000_000), ts_key(self.last_ts)[0] * 1_000_000 + ts_key(self.last_ts)[1] + 1
        )
        self.last_ts = f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
        return self.last_ts

    def find(self, channel: str, ts: str) -> Message | None:
        """The message `ts` in `channel`. Call with `changed` held."""
        return next((m for m in self.messages if m.ts == ts and m.channel == channel), None)

    def touch(self) -> None:
        """Something changed: wake the page and save. Call with `changed` held."""
        self.version += 1
        self.changed.notify_all()
        self.save()

    def wait(self, since: int, timeout: float) -> int:
        """Wait until the version is past `since` (or `timeout` passes); the version now."""
        with self.changed:
            self.changed.wait_for(lambda: self.version > since, timeout)
            return self.version

    def save(self) -> None:
        """Write the record to its file (a new file, then renamed: a crash never leaves half of one)."""
        if self.path is None:
            return
        data = {
            "messages": [asdict(m) for m in self.messages],
            "homes": self.homes,
            "members": sorted(self.members),
            "files": self.files,
            "calls": list(self.calls),
            "offset_seconds": self.offset_seconds,
            "last_ts": self.last_ts,
        }
        partial = self.path.with_suffix(".json.partial")
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, self.path)

    @classmethod
    def load(cls, path: Path) -> Record:
        """The record saved at `path`, or a new one if there is none."""
        record = cls(path=path)
        if not path.exists():
            return record
        data = json.loads(path.read_text(encoding="utf-8"))
        record.messages = [Message(**m) for m in data.get("messages", [])]
        record.homes, record.files = data.get("homes", {}), data.get("files", {})
        record.members = set(data.get("members", []))
        record.calls.extend(data.get("calls", []))
        record.offset_seconds, record.last_ts = data.get("offset_seconds"), data.get("last_ts", "0.000000")
        return record

"""The stand-in's record: what Slack holds (every message, reaction, private note, Home tab and modal, as the
shared fake keeps it), the Web API log and the demo clock, kept in memory and in `dibs-demo.json` beside the demo's
database, so a restart picks up where it was."""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.fakeslack import Message, Workspace


@dataclass
class Record(Workspace):
    """Everything the page shows, with a version that moves on at each change (the page waits on it).
    Read and change it with `changed` held."""

    path: Path | None = None
    calls: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=200))
    offset_seconds: float | None = None  # the demo clock's lead on real time
    version: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)

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

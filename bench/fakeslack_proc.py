"""The fake Slack Web API of the tests (tests/support/fakeslack.py), run in a process of its own.

The benchmark's load generator and the fake Slack must not share a GIL, so the fake runs in a spawned
child process. The parent talks to it over a Pipe: it gets the fake's base URL at start, can ask for
the calls recorded so far, and gets them all back when it stops the fake. Calls travel as small tuples
(method, thread_ts, at, status, ts of the answer); ``at`` is ``time.monotonic()`` in the child, which on
Linux is the same clock as in the parent.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection
from typing import NamedTuple


class SlackCall(NamedTuple):
    """One Web API call the fake received."""

    method: str
    thread_ts: str | None
    at: float
    status: int
    ts: str | None = None  # the message's ts in the answer (chat.postMessage, chat.update)


def _answered_ts(response: object) -> str | None:
    found = response.get("ts") if isinstance(response, dict) else None
    return str(found) if found else None


def _serve(conn: Connection, cpus: set[int] | None) -> None:
    from tests.support import fakeslack

    if cpus:
        os.sched_setaffinity(0, cpus)
    # socketserver's default listen backlog is 5: a burst of the bot's calls would overflow it and the
    # kernel would retry the dropped SYNs a second later, which would be measured as Dibs being slow.
    fakeslack._HTTPServer.request_queue_size = 1024
    fake = fakeslack.FakeSlack().start()
    conn.send((fake.base_url, os.getpid()))

    def calls() -> list[SlackCall]:
        return [
            SlackCall(c.method, c.params.get("thread_ts"), c.at, c.status, _answered_ts(c.response))
            for c in fake.calls()
        ]

    while True:
        command = conn.recv()
        if command == "calls":
            conn.send(calls())
        elif command == "stop":
            conn.send(calls())
            fake.stop()
            return


class FakeSlackProcess:
    """Start the fake Slack in a child process (pinned to ``cpus``); ``base_url`` ends with /api/."""

    def __init__(self, cpus: set[int] | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, cpus), name="fakeslack", daemon=True)
        self._process.start()
        if not self._conn.poll(30):
            self._process.kill()
            raise RuntimeError("the fake Slack process did not start within 30 s")
        self.base_url, self.pid = self._conn.recv()

    def calls(self) -> list[SlackCall]:
        """Every call recorded so far."""
        self._conn.send("calls")
        calls: list[SlackCall] = self._conn.recv()
        return calls

    def stop(self) -> list[SlackCall]:
        """Stop the fake and return every call it recorded."""
        self._conn.send("stop")
        calls: list[SlackCall] = self._conn.recv()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
        return calls

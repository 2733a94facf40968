"""Send many signed requests at the same moment: one thread and one new connection per request, all released
by one barrier. Used by bench/burst.py and bench/hottask.py.

Each thread builds nothing after the release: its bytes are ready (signed when planned), it connects, sends,
and reads the whole answer (the server closes the connection after it: `Connection: close`). Times are from
the release, on the monotonic clock; `sent` shows how long this process took to get each request out (its
threads all want the GIL at once), so a slow ack can be told from a slow sender.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.load import http_request
from bench.servers import SECRET
from tests.support.payloads import interactive_body

TIMEOUT = 30.0


@dataclass(frozen=True)
class Sent:
    """One request's fate: `status` 0 is a connection error or a timeout; `done` is when its answer was complete."""

    status: int
    sent: float  # seconds from the release until the request was written
    latency: float  # seconds from the release until the complete answer
    done: float  # monotonic time of the complete answer
    body: bytes


def json_request(port: int, body: str) -> bytes:
    """An Events API request (an event envelope's JSON)."""
    return http_request("127.0.0.1", port, body, "application/json", SECRET)


def form_request(port: int, body: str) -> bytes:
    """A slash command's form, or an interactive payload's `payload=` form."""
    return http_request("127.0.0.1", port, body, "application/x-www-form-urlencoded", SECRET)


def action_request(port: int, payload: dict[str, object]) -> bytes:
    return form_request(port, interactive_body(payload))


def _exchange(port: int, data: bytes) -> tuple[int, bytes, float]:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        sent = time.monotonic()
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body, sent


def send_together(requests: Sequence[tuple[int, bytes]]) -> list[Sent]:
    """Send every (port, bytes) at once; their results in the same order."""
    results: list[Sent | None] = [None] * len(requests)
    released: list[float] = []
    barrier = threading.Barrier(len(requests), action=lambda: released.append(time.monotonic()))

    def one(index: int, port: int, data: bytes) -> None:
        barrier.wait()
        start = released[0]
        try:
            status, body, sent = _exchange(port, data)
        except (OSError, ValueError, IndexError):
            status, body, sent = 0, b"", time.monotonic()
        done = time.monotonic()
        results[index] = Sent(status, sent - start, done - start, done, body)

    threads = [threading.Thread(target=one, args=(i, port, data), daemon=True) for i, (port, data) in
               enumerate(requests)]  # fmt: skip
    previous = threading.stack_size(512 * 1024)  # hundreds of threads: keep their stacks small
    try:
        for thread in threads:
            thread.start()
    finally:
        threading.stack_size(previous)
    for thread in threads:
        thread.join(TIMEOUT * 2)
    return [r if r is not None else Sent(0, 0.0, TIMEOUT * 2, time.monotonic(), b"") for r in results]

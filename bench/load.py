"""The workload and the open-loop load generator.

`plan` builds every request of a run up front, signed over its raw bytes like Slack signs them (helpers
from tests/support/payloads.py): 40 % keyword posts (each becomes a task, and Dibs answers it with a
thread reply), 40 % chatter (no task), 20 % `raising_hand` reactions on a keyword post sent earlier in
the same run. Request i is due at start + i/rate, whatever happened to the requests before it.

`send_all` sends them from one asyncio loop: a dispatcher thread sleeps until each request's due time
and has the loop start it as its own task on a new connection, so any number of requests can be in
flight and a slow server cannot hold the generator back (no coordinated omission). Latency is measured
from the due time, and how late each request actually went out is recorded as `lag`.
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from tests.support.payloads import command_form, event_envelope, message_event, reaction_event, signed_headers

Kind = Literal["post", "chatter", "claim"]
POSTS = (
    "We got a booth at the Springfield Expo, who can staff it?",
    "Webinar with Initech next Thursday, who can host it?",
    "We are at the Shelbyville conference in May - anyone want to give a talk?",
)
CHATTER = ("lunch at noon?", "who moved my stapler", "the coffee machine is fixed :tada:")
MIX: tuple[tuple[Kind, float], ...] = (("post", 0.4), ("chatter", 0.4), ("claim", 0.2))


@dataclass(frozen=True)
class Request:
    """One request of the run: when it is due (seconds after start), what it is, and its bytes."""

    due: float
    kind: Kind
    ts: str  # the message's ts for posts and chatter, the reacted-to post's ts for claims
    data: bytes


@dataclass(frozen=True)
class Result:
    """What happened to one request: `status` 0 means a connection error or a timeout."""

    lag: float  # seconds between the due time and the moment the request went out
    latency: float  # seconds between the due time and the complete answer (or the error)
    status: int


def http_request(host: str, port: int, body: str, content_type: str, secret: str) -> bytes:
    """A POST to /slack/events as Slack sends it: signed, then closed after the answer."""
    headers = {
        "Host": f"{host}:{port}",
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        **signed_headers(body, secret, content_type=content_type),
        "Content-Length": str(len(body.encode())),
        "Connection": "close",
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST /slack/events HTTP/1.1\r\n{head}\r\n".encode() + body.encode()


def watch_command(host: str, port: int, secret: str) -> bytes:
    """`/dibs watch` in C111: Dibs turns posts into tasks only in watched channels."""
    return http_request(host, port, command_form("watch", user="UADMIN"), "application/x-www-form-urlencoded", secret)


def plan(rate: float, seconds: float, host: str, port: int, secret: str, seed: int = 1) -> list[Request]:
    """Every request of a run of `seconds` at `rate` events/s, in the order they are due."""
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    run = f"{rng.getrandbits(32):08x}"
    posts: list[str] = []
    requests: list[Request] = []
    for i in range(round(rate * seconds)):
        kind: Kind = rng.choices(kinds, weights)[0]
        if kind == "claim" and not posts:
            kind = "post"  # a reaction needs a post sent before it
        if kind == "claim":
            ts = rng.choice(posts)
            event = reaction_event("reaction_added", f"U{rng.randrange(1000, 1040)}", ts)
        else:
            micros = 1_750_000_000_000_000 + 100 * i
            ts = f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
            event = message_event(rng.choice(POSTS if kind == "post" else CHATTER), ts=ts)
            if kind == "post":
                posts.append(ts)
        body = json.dumps(event_envelope(event, event_id=f"Ev{run}{i:07d}"))
        requests.append(Request(i / rate, kind, ts, http_request(host, port, body, "application/json", secret)))
    return requests


async def _exchange(host: str, port: int, data: bytes) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(data)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        return status
    finally:
        writer.close()


async def _timed(host: str, port: int, data: bytes, due: float, timeout: float) -> Result:
    sent = time.monotonic()
    try:
        status = await asyncio.wait_for(_exchange(host, port, data), timeout)
    except (OSError, ValueError, IndexError, asyncio.IncompleteReadError, TimeoutError):
        status = 0
    return Result(sent - due, time.monotonic() - due, status)


async def _send_all(
    host: str, port: int, requests: Sequence[Request], start: float, mark: float, on_mark: Callable[[], None]
) -> list[Result]:
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task[Result]] = []

    def launch(request: Request, due: float) -> None:
        tasks.append(loop.create_task(_timed(host, port, request.data, due, timeout=30)))

    def dispatch() -> None:
        # A thread's timed wait ends within microseconds; the loop's own timers only to the millisecond.
        marked = False
        for request in requests:
            due = start + request.due
            if stopped.wait(max(0.0, due - time.monotonic())):
                return
            if not marked and request.due >= mark:
                on_mark()
                marked = True
            loop.call_soon_threadsafe(launch, request, due)

    stopped = threading.Event()
    try:
        await asyncio.to_thread(dispatch)
    finally:
        stopped.set()  # on Ctrl-C, stop sending at once
    return list(await asyncio.gather(*tasks))


def send_all(
    host: str, port: int, requests: Sequence[Request], start: float, mark: float, on_mark: Callable[[], None]
) -> list[Result]:
    """Send each request at `start` + its due time (monotonic clock); call `on_mark` once, right before
    the first request due `mark` seconds or later after `start` (where the measured window begins)."""
    gc.disable()  # a full collection among thousands of tasks holds the GIL for ~10 ms: the dispatcher would wait
    try:
        return asyncio.run(_send_all(host, port, requests, start, mark, on_mark))
    finally:
        gc.enable()


def send_one(host: str, port: int, data: bytes) -> int:
    """Send one request and wait for its status (0 on a connection error)."""
    return asyncio.run(_timed(host, port, data, time.monotonic(), timeout=30)).status

"""A stage for bench/burst.py and bench/hottask.py: a fake Slack in its own process, a fresh database, the
servers under test started on it (pinned like bench/run.py's), and `/dibs watch` for C111.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.fakeslack_proc import FakeSlackProcess, SlackCall
from bench.load import send_one, watch_command
from bench.measure import wait_until_idle
from bench.servers import SECRET, Server, fresh_database, server_env

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Stage:
    """What is running: the fake Slack, the database's URL, the servers (in the order asked)."""

    fake: FakeSlackProcess
    url: str
    servers: list[Server]
    calls: list[SlackCall] = field(default_factory=list)  # every call the fake got, once it stopped

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until every server is idle (the work the requests caused is done), at most `timeout` s."""
        deadline = time.monotonic() + timeout
        for server in self.servers:
            wait_until_idle(server.pid, deadline)


def pin_self() -> tuple[set[int], set[int]]:
    """The first core for the servers, the others for this process and the fake Slack (none on one core)."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return set(), set()
    os.sched_setaffinity(0, set(cores[1:]))
    return {cores[0]}, set(cores[1:])


@contextlib.contextmanager
def staged(
    names: Sequence[str], database: str, cpus: tuple[set[int], set[int]], threads: int = 8, admin: str = ADMIN
) -> Iterator[Stage]:
    """Start the fake, a fresh database and the servers `names` (one after another, each healthy before the
    next starts: Dibs migrates a fresh database at start); watch C111; stop everything afterwards."""
    server_cpus, other_cpus = cpus
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dibs-bench-")))
        fake = FakeSlackProcess(other_cpus)
        stage = Stage(fake, "", [])
        stack.callback(lambda: stage.calls.extend(fake.stop()))
        stage.url = stack.enter_context(fresh_database(database, workdir, admin))
        env = server_env(fake.base_url, stage.url, workdir / "dibs.yml")
        for n, name in enumerate(names):
            server = Server(name, env, workdir / f"{name}-{n}.log", server_cpus, threads)
            stack.callback(server.stop)
            server.wait_healthy()
            stage.servers.append(server)
        port = stage.servers[0].port
        if (status := send_one("127.0.0.1", port, watch_command("127.0.0.1", port, SECRET))) != 200:
            raise RuntimeError(f"/dibs watch answered {status}")
        yield stage

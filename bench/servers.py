"""Start and watch the servers under test, and give each run that writes a fresh database.

The servers (`dibs serve --http`, the framework floor bench/floor.py, the work floor bench/workfloor.py)
run as child processes pinned to one core with `taskset`, listen on 127.0.0.1 with waitress (1 process,
`threads` threads) and answer GET /healthz when ready. Their CPU time and memory are read from
/proc/<pid>/stat (utime + stime, all threads) and /proc/<pid>/status (VmRSS, VmHWM).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

SECRET = "bench-signing-secret"
CONFIG = "digest:\n  days: none\n"  # no digest may fire during a run
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # fields 14 and 15 of proc(5)


def machine_busy_seconds() -> float:
    """CPU time all processes on the machine used so far (user, nice, system, irq, softirq of /proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq = Path("/proc/stat").read_text().split()[1:8]
    return sum(int(value) for value in (user, nice, system, irq, softirq)) / TICKS


def memory_mb(pid: int, field: str) -> float:
    """A memory figure of /proc/<pid>/status (VmRSS, VmHWM, ...) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


MODULES = {"dibs": ["bot.cli", "serve", "--http"], "floor": ["bench.floor"], "workfloor": ["bench.workfloor"]}


class Server:
    """`dibs serve --http` (name "dibs"), the framework floor ("floor") or the work floor ("workfloor"),
    in a child process pinned to `cpus`."""

    def __init__(self, name: str, env: dict[str, str], log: Path, cpus: set[int], threads: int = 8) -> None:
        self.name, self.log, self.port = name, log, free_port()
        module = MODULES[name]
        args = [sys.executable, "-m", *module, "--host", "127.0.0.1", "--port", str(self.port)]
        pin = ["taskset", "-c", ",".join(map(str, sorted(cpus)))] if cpus else []
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            [*pin, *args, "--threads", str(threads)], env=env, stdout=self._out, stderr=subprocess.STDOUT
        )
        self.pid = self.proc.pid  # taskset execs the server, so this is the server's own pid

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log.read_text()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as answer,
            ):
                if answer.status == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not become healthy within {timeout} s:\n{self.log.read_text()}")

    def errors_logged(self) -> int:
        """Lines the server logged at ERROR level or above (tracebacks count once)."""
        lines = self.log.read_text(errors="replace").splitlines()
        return sum(" ERROR " in line or " CRITICAL " in line for line in lines)

    def deepest_queue(self) -> int:
        """The deepest queue of requests waiting for a waitress thread that waitress warned about (0: none)."""
        depths = re.findall(r"Task queue depth is (\d+)", self.log.read_text(errors="replace"))
        return max(map(int, depths), default=0)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


def server_env(api_url: str, database_url: str, config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIBS_", "DATABASE_URL"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        DIBS_CONFIG=str(config),
        PYTHONUNBUFFERED="1",
    )
    config.write_text(CONFIG)
    return env


@contextlib.contextmanager
def fresh_database(kind: str, workdir: Path, admin_url: str) -> Iterator[str]:
    """A new SQLite file in `workdir`, or a new PostgreSQL database `dibs_bench_<random>` dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'dibs.db'}"
        return
    name = f"dibs_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

"""Start the real `dibs serve` process for end-to-end tests, and stop it again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import SECRET


def dibs_command() -> list[str]:
    """The installed `dibs` console script, as the README runs it (or the module, if not installed)."""
    script = Path(sys.executable).with_name("dibs")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(api_url: str, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIBS_", "DATABASE_URL"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class BotProcess:
    """`dibs serve ...` in a child process, with its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args], env=env, stdout=self._out, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


class HttpBot(BotProcess):
    def __init__(self, env: dict[str, str], log: Path, extra: tuple[str, ...] = ()) -> None:
        # A free port is free only until someone else binds it: another worker's server or client may take it
        # between our check and the bot's bind, so a start that finds it taken tries another port.
        for attempt in range(3):
            self.port = free_port()
            self.base = f"http://127.0.0.1:{self.port}"
            super().__init__(["serve", "--http", "--host", "127.0.0.1", "--port", str(self.port), *extra], env, log)
            try:
                self.wait_healthy()
                return
            except AssertionError:
                if attempt == 2 or "Address already in use" not in self.output():
                    raise
                self.stop()

    @property
    def events_url(self) -> str:
        return f"{self.base}/slack/events"

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"dibs exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"dibs did not become healthy:\n{self.output()}")

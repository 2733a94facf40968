"""`dibs demo`: the page and the Slack stand-in on 127.0.0.1, the real bot behind waitress (as `dibs serve
--http` runs it) with a clock the page can move on, SQLite in dibs-demo.db; until Ctrl+C or SIGTERM."""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading
import webbrowser
from datetime import datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.checks import StartupError, check_slack
from bot.clock import OffsetClock, utcnow
from bot.demo.actions import Demo
from bot.demo.page import Page
from bot.demo.record import Record
from bot.demo.seed import seed, set_up
from bot.demo.standin import StandIn
from bot.demo.visitor import Bot
from bot.demo.world import BOT_TOKEN, BOT_USER, TEAM
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import Dibs

log = logging.getLogger(__name__)
DATABASE = "dibs-demo.db"
RECORD = "dibs-demo.json"


def start_offset(settings: Settings, now: datetime) -> timedelta:
    """A new demo's clock starts at 10:00 on a Monday to Thursday: inside working hours, with a digest
    day after it (so +1 day shows one)."""
    day = now.astimezone(settings.tz).date()
    while day.weekday() > 3:
        day += timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=settings.tz) - now


def forget(directory: Path) -> None:
    """`--reset`: remove the demo's database and record."""
    for name in (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", RECORD):
        (directory / name).unlink(missing_ok=True)


def demo_settings(settings: Settings, base: str, database: Path) -> Settings:
    """The settings file's choices (time zone, kinds, reminders, digest), with the demo's Slack and database."""
    return settings.model_copy(
        update={
            "bot_token": BOT_TOKEN,
            "signing_secret": secrets.token_hex(16),
            "app_token": None,
            "intake_token": None,
            "goody_secret": None,
            "sendoso_secret": None,
            "api_url": f"{base}/api/",
            "database_url": f"sqlite:///{database}",
            "feeds": (),
            "calendars": (),
            "accept_bots": frozenset(),
            "admins": None,
        }
    )


def _serve(server: Any, name: str) -> None:
    threading.Thread(target=server.run, name=name, daemon=True).start()


def _open_browser(url: str) -> None:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return  # no desktop: a console browser would take over the terminal
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def _begin(demo: Demo, fresh: bool, want_seed: bool) -> None:
    if fresh:
        set_up(demo)
    people_posted = any(m.user != BOT_USER and m.visible_to is None for m in demo.record.messages)
    if want_seed and not people_posted:
        seed(demo)
    elif want_seed:
        print("dibs demo: it already has posts, so --seed adds none (--reset starts over)")


def _bot(settings: Settings, clock: OffsetClock) -> tuple[Dibs, Bot] | None:
    """The bot, checked against the stand-in like `dibs serve` checks Slack, behind its own waitress."""
    from bot.app import create_app
    from bot.serve import http_server

    try:
        identity = check_slack(settings)
    except StartupError as error:
        print(f"dibs: the demo's stand-in for Slack did not answer: {error}", file=sys.stderr)
        return None
    dibs = create_app(settings, clock=clock, identity=identity)
    server = http_server(dibs, "127.0.0.1", 0, threads=4)
    _serve(server, "dibs-demo-bot")
    return dibs, Bot(f"http://127.0.0.1:{server.effective_port}/slack/events", str(settings.signing_secret))


def _page(record: Record, clock: OffsetClock, settings: Settings, port: int, where: Path) -> Page | None:
    """The page and the stand-in on 127.0.0.1:`port`, serving; its settings point the bot at them."""
    import waitress

    standin = StandIn(record, clock.now)
    page = Page(standin, settings)
    try:
        server = waitress.create_server(page, host="127.0.0.1", port=port, threads=12, ident="dibs-demo")
    except OSError as error:
        print(f"dibs: cannot serve the demo on 127.0.0.1:{port} ({error.strerror}); try dibs demo --port {port + 1}",
              file=sys.stderr)  # fmt: skip
        return None
    base = f"http://127.0.0.1:{server.effective_port}"
    page.settings = demo_settings(settings, base, where / DATABASE)
    standin.api.site = base
    page.listening_on(server.effective_port)
    _serve(server, "dibs-demo-page")
    return page


def run_demo(
    settings: Settings, *, seed: bool, reset: bool, port: int, browser: bool, directory: Path | None = None
) -> int:
    """Start everything, print the page's address, and run until stopped; 0 after a clean stop."""
    from bot.serve import stop_on_signals

    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))  # one migration a reset
    where = (directory or Path.cwd()).resolve()
    if reset:
        forget(where)
    record = Record.load(where / RECORD)
    fresh = record.offset_seconds is None
    clock = OffsetClock(start_offset(settings, utcnow()) if fresh else timedelta(seconds=record.offset_seconds or 0))
    record.offset_seconds = clock.offset.total_seconds()
    page = _page(record, clock, settings, port, where)
    started = _bot(page.settings, clock) if page else None
    if page is None or started is None:
        return 2
    dibs, bot = started
    base = page.base
    workspace = partial(dibs.services.settings_for, TEAM)
    page.demo = Demo(record, page.standin, bot, clock, dibs.tick, f"{base}/respond", workspace)
    received = stop_on_signals()
    try:
        dibs.start()
        _begin(page.demo, fresh, seed)
        print(f"Dibs demo: {base}/\n  the real bot at {bot.events_url}, Slack played by the page's server; "
              f"data in {where / DATABASE}\n  Ctrl+C stops it; `dibs demo` again picks up where you left off, "
              "`dibs demo --reset` starts over.", flush=True)  # fmt: skip
        if browser:
            _open_browser(f"{base}/")
        threading.Event().wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        log.info("%s: the demo is stopping", received[0] if received else "exit")
        dibs.shutdown()
        with record.changed:
            record.save()
    print("Dibs demo stopped.", flush=True)
    return 0

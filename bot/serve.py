"""`dibs serve`: check Slack and the database, then run until SIGTERM or Ctrl+C and stop cleanly.

The order matters to a first run: the token is checked before the database is touched, so a wrong
token or an unreachable Slack leaves no `dibs.db` behind; and migrations run in a child process
(`dibs migrate`), so the server never loads Alembic.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from bot.checks import README_APP, README_MANY, StartupError, check_slack, first_line
from bot.logs import say
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import Dibs
    from bot.ready import Readiness

log = logging.getLogger(__name__)


def migrate_in_a_child(settings: Settings) -> bool:
    """Migrate in a child process (`dibs migrate`), so the server never loads Alembic; False if it failed."""
    from store.db import at_head, make_engine

    engine = make_engine(settings.database_url)
    try:
        if at_head(engine):
            return True
    finally:
        engine.dispose()
    child = subprocess.run(  # its "up to date" line is not the server's to write; its errors are
        [sys.executable, "-m", "bot.cli", "--log-level", "WARNING", "migrate"], check=False, stdout=subprocess.DEVNULL
    )
    return child.returncode == 0


def stop_on_signals() -> list[str]:
    """SIGTERM (and Ctrl+C) end the server's loop, so `finally` stops the courier and hands back its leases;
    the list returned gets the signal's name. A second signal while stopping ends the process at once."""
    received: list[str] = []

    def stop(signum: int, _frame: object) -> None:
        received.append(signal.Signals(signum).name)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return received


def http_server(dibs: Dibs, host: str, port: int, threads: int, ready: Readiness | None = None) -> Any:
    """waitress serving the bot's WSGI app (`dibs serve --http`, and the bot half of `dibs demo`), with GET /metrics
    and (given `ready`) GET /readyz."""
    import waitress

    from bot.web import MAX_BODY, with_operations

    application = with_operations(dibs.wsgi(), ready.reason if ready is not None else None)
    return waitress.create_server(
        application, host=host, port=port, threads=threads, ident="dibs", max_request_body_size=MAX_BODY
    )


def operations_server(dibs: Dibs, host: str, port: int, ready: Readiness) -> Any:
    """`--metrics-port`: GET /metrics, /readyz and /healthz on a port of their own (Socket Mode has no other),
    served by waitress from a thread; returns the server (`close()` it)."""
    import threading

    import waitress

    from bot.web import with_operations
    from store.db import database_answers

    application = with_operations(None, ready.reason, lambda: database_answers(dibs.engine))
    server = waitress.create_server(application, host=host, port=port, threads=2, ident="dibs-metrics")
    threading.Thread(target=_run_until_closed, args=(server,), name="dibs-metrics", daemon=True).start()
    log.info("metrics at http://%s:%s/metrics", host, server.effective_port)
    return server


def _run_until_closed(server: Any) -> None:
    try:
        server.run()
    except (OSError, ValueError):  # close() took its sockets from under the loop: stopping
        if server.accepting:
            raise


def build(settings: Settings, socket_mode: bool) -> Dibs | None:
    """The checks, in order (Slack, then the database), and the bot; None (after a sentence) if one failed."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackClientError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import create_app

    try:
        # One bot token: check it before anything else. Many workspaces: there is no token to check yet.
        identity = None if settings.many_workspaces else check_slack(settings)
        if not migrate_in_a_child(settings):
            return None
        return create_app(settings, socket_mode=socket_mode, identity=identity)
    except StartupError as error:
        say(f"dibs: {error}")
    except SQLAlchemyError as error:
        say(f"dibs: cannot open the database at DATABASE_URL: {first_line(error)}")
    except (BoltError, SlackClientError, OSError) as error:
        if settings.many_workspaces:  # nothing is asked of Slack at start: the app's settings are wrong
            say(f"dibs: cannot start ({error}); {README_MANY}.")
        else:
            say(f"dibs: Slack at {settings.api_url} did not accept SLACK_BOT_TOKEN ({error}); {README_APP}.")
    return None


def serve(
    settings: Settings, *, socket_mode: bool, host: str, port: int, threads: int, metrics_port: int | None = None
) -> int:
    """Run until SIGTERM or Ctrl+C: waitress for HTTP, or slack_sdk's Socket Mode client."""
    from bot import metrics
    from bot.ready import Readiness

    dibs = build(settings, socket_mode)
    if dibs is None:
        return 2
    metrics.count_audit_trail()
    metrics.watch_outbox(dibs.engine)
    received = stop_on_signals()
    handler: Any = None
    ops: Any = None
    # `build` returned a bot: Slack accepted the token (one workspace), or there is none to check (many).
    ready = Readiness(dibs.engine, token_accepted=True)
    try:
        dibs.start()
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(dibs.app, settings.app_token)
            ready.connected = handler.client.is_connected
            if metrics_port is not None:
                ops = operations_server(dibs, host, metrics_port, ready)
            handler.start()
        else:
            if metrics_port is not None:
                ops = operations_server(dibs, host, metrics_port, ready)
            server = http_server(dibs, host, port, threads, ready)
            log.info("Dibs listening on http://%s:%s/slack/events", host, server.effective_port)
            if settings.many_workspaces:
                log.info("install page: http://%s:%s/slack/install", host, server.effective_port)
            server.run()  # returns once a signal has ended its loop
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        log.info("%s: Dibs is stopping (calls in flight finish, leases are handed back)", received[0] if received
                 else "exit")  # fmt: skip
        if handler is not None:
            handler.close()
        if ops is not None:
            ops.close()
        dibs.shutdown()
        log.info("Dibs stopped")
    return 0

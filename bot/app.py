"""`create_app(settings)`: the Bolt app, its Web API client, the database and the scheduler.

Nothing here lives at module level, so tests can build as many bots as they need.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.delivery.outbox import send_due_posts
from bot.delivery.recovery import recover_missed_reactions
from bot.digest.plan import plan_digests
from bot.intake.channels import forget_old_events
from bot.ownership.sync import resync_stale_threads, sync_thread
from bot.reminders.planning import plan_due_dates, plan_nags
from bot.reminders.policy import digest_due
from bot.services import Services
from bot.settings import Settings
from store.db import database_answers, make_engine, make_session_factory, migrate

log = logging.getLogger(__name__)


def default_retry_handlers() -> list[RetryHandler]:
    """slack_sdk's retries for lost connections, 429 (honouring Retry-After) and 5xx."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_client(settings: Settings, retry_handlers: Sequence[RetryHandler] | None = None) -> WebClient:
    """The Web API client: Dibs's base URL, and slack_sdk's retries."""
    handlers = default_retry_handlers() if retry_handlers is None else list(retry_handlers)
    return WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=15, retry_handlers=handlers)


@dataclass
class Dibs:
    """One running bot: its services (database, settings, clock), Bolt app and background jobs."""

    services: Services
    engine: Engine
    app: App
    scheduler: BackgroundScheduler | None = None

    @property
    def client(self) -> WebClient:
        """The Web API client every Slack call goes through."""
        return self.app.client

    @property
    def db(self) -> sessionmaker[Session]:
        """The session factory."""
        return self.services.db

    @property
    def settings(self) -> Settings:
        """The settings this bot was built with."""
        return self.services.settings

    def retry_outbox(self) -> int:
        """Post or update thread replies that Slack refused earlier."""
        return resync_stale_threads(self.client, self.services, grace=timedelta(seconds=5))

    def tick(self, now: datetime) -> int:
        """One pass of the schedule at `now`: plan what is due (due dates, reminders, digests), then send it."""
        for team_id, task_id in plan_due_dates(self.services, now):
            sync_thread(self.client, self.services, team_id, task_id)
        plan_nags(self.services, now)
        plan_digests(self.services, now, digest_due(now, self.settings))
        return send_due_posts(self.client, self.services, now)

    def recover(self) -> int:
        """Catch up on reactions made while no Dibs process was running."""
        return recover_missed_reactions(self.client, self.services)

    @property
    def tick_seconds(self) -> float:
        """Often enough for the shortest nag interval, never more than every 30 s."""
        shortest = min(self.settings.nag.first_after, self.settings.nag.every).total_seconds()
        return min(max(shortest / 4, 0.5), 30.0)

    def start_scheduler(self) -> None:
        """Start the background jobs (each process runs its own; the database decides what is due).

        Jobs live in memory and are rebuilt at every start; what is due lives in the database.
        """
        scheduler = BackgroundScheduler(timezone="UTC")
        every = {"coalesce": True, "max_instances": 1, "replace_existing": True}
        # The first tick runs at once: catch up on what fell due while no process ran.
        scheduler.add_job(
            self._tick_now, "interval", seconds=self.tick_seconds, id="tick", next_run_time=self.services.now(), **every
        )
        scheduler.add_job(self.recover, id="recover_missed_reactions", replace_existing=True)
        seconds = int(self.settings.retry_every.total_seconds())
        scheduler.add_job(self.retry_outbox, "interval", seconds=seconds, id="retry_outbox", **every)
        scheduler.add_job(forget_old_events, "interval", hours=6, args=[self.services], id="forget_old_events", **every)
        scheduler.start()
        self.scheduler = scheduler

    def _tick_now(self) -> int:
        return self.tick(self.services.now())

    def shutdown(self) -> None:
        """Stop the jobs and close the database connections."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        self.engine.dispose()

    def wsgi(self) -> Any:
        """The WSGI application: Slack's requests at POST /slack/events, and GET /healthz."""
        slack = _SlackEndpoint(self.app, path="/slack/events")

        def application(environ: dict[str, Any], start_response: Any) -> Any:
            if environ.get("PATH_INFO") == "/healthz":
                healthy = database_answers(self.engine)
                status = "200 OK" if healthy else "503 Service Unavailable"
                start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
                return [b"ok\n" if healthy else b"database unavailable\n"]
            return slack(environ, start_response)

        return application


class _SlackEndpoint(SlackRequestHandler):
    """Bolt's WSGI handler, answering a body Bolt cannot parse with 400 instead of a stack trace."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            return super().dispatch(request)
        except ValueError as error:  # json.JSONDecodeError and friends, raised while parsing the body
            log.warning("malformed request body from %s: %s", request.environ.get("REMOTE_ADDR"), error)
            return BoltResponse(status=400, body="malformed request body")


def _hide_token_warning(record: logging.LogRecord) -> bool:
    # Bolt reads SLACK_BOT_TOKEN itself and warns that our client (which carries that very
    # token) wins; the warning would only confuse an admin reading the log.
    return "`token` will be unused" not in record.getMessage()


def create_app(
    settings: Settings,
    *,
    socket_mode: bool = False,
    process_before_response: bool = False,
    clock: Clock | None = None,
    retry_handlers: Sequence[RetryHandler] | None = None,
) -> Dibs:
    """Build a bot: migrate the database, create the Bolt app, register every listener."""
    from handlers import register_listeners

    engine = make_engine(settings.database_url)
    migrate(engine)
    bolt_log = logging.getLogger("slack_bolt.App")
    if _hide_token_warning not in bolt_log.filters:
        bolt_log.addFilter(_hide_token_warning)
    services = Services(db=make_session_factory(engine), settings=settings, clock=clock or SystemClock())
    app = App(
        client=make_client(settings, retry_handlers),
        signing_secret=settings.signing_secret or ("unused-in-socket-mode" if socket_mode else None),
        request_verification_enabled=not socket_mode,
        process_before_response=process_before_response,
        ignoring_self_events_enabled=True,
    )
    register_listeners(app, services)
    return Dibs(services=services, engine=engine, app=app)

"""`create_app(settings)`: the Bolt app, its Web API client, the database and the scheduler.

Nothing here lives at module level, so tests can build as many bots as they need.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import first_delivery, forget_old_events
from bot.outbox import send_due_posts
from bot.policy import digest_due
from bot.recovery import recover_missed_reactions
from bot.schedule import plan_digests, plan_due_dates, plan_nags
from bot.settings import Settings
from bot.threads import resync_stale_threads, sync_thread
from store.db import database_answers, make_engine, make_session_factory, migrate
from store.models import utcnow

log = logging.getLogger(__name__)


def make_client(settings: Settings) -> WebClient:
    """The Web API client: Dibs's base URL, and slack_sdk's retries for 429, 5xx and lost connections."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


@dataclass
class Dibs:
    """One running bot: settings, database, Bolt app and its background jobs."""

    settings: Settings
    engine: Engine
    db: sessionmaker[Session]
    app: App
    scheduler: BackgroundScheduler | None = None

    @property
    def client(self) -> WebClient:
        return self.app.client

    def retry_outbox(self) -> int:
        """Post or update thread replies that Slack refused earlier."""
        return resync_stale_threads(self.client, self.db, self.settings, grace=timedelta(seconds=5))

    def tick(self) -> int:
        """One pass of the schedule: plan what is due (due dates, reminders, digests), then send it."""
        now = utcnow()
        for team_id, task_id in plan_due_dates(self.db, self.settings, now):
            sync_thread(self.client, self.db, self.settings, team_id, task_id)
        plan_nags(self.db, self.settings, now)
        plan_digests(self.db, self.settings, now, digest_due(now, self.settings))
        return send_due_posts(self.client, self.db)

    def recover(self) -> int:
        """Catch up on reactions made while no Dibs process was running."""
        return recover_missed_reactions(self.client, self.db, self.settings)

    @property
    def tick_seconds(self) -> float:
        """Often enough for the shortest nag interval, never more than every 30 s."""
        shortest = min(self.settings.nag.first_after, self.settings.nag.every).total_seconds()
        return min(max(shortest / 4, 0.5), 30.0)

    def start_scheduler(self) -> None:
        """Start the background ticks (each process runs its own; the database decides what is due)."""
        scheduler = BackgroundScheduler(timezone="UTC")
        # Jobs live in memory and are rebuilt at every start; what is due lives in the database.
        scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.tick_seconds,
            id="tick",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            next_run_time=utcnow(),  # at start: catch up on what fell due while no process ran
        )
        scheduler.add_job(self.recover, id="recover_missed_reactions", replace_existing=True)
        every = int(self.settings.retry_every.total_seconds())
        scheduler.add_job(
            self.retry_outbox,
            "interval",
            seconds=every,
            id="retry_outbox",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        scheduler.add_job(
            forget_old_events,
            "interval",
            hours=6,
            args=[self.db],
            id="forget_old_events",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        scheduler.start()
        self.scheduler = scheduler

    def shutdown(self) -> None:
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


def _dedupe_middleware(db: sessionmaker[Session]) -> Any:
    def skip_retried_events(body: dict[str, Any], next: Any, logger: logging.Logger) -> BoltResponse | None:
        """Slack redelivers an event it thinks we missed; act on each event_id once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not first_delivery(db, str(body.get("team_id") or ""), str(event_id)):
            logger.info("ignoring a repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    return skip_retried_events


def _log_and_apologise(error: Exception, body: dict[str, Any], logger: logging.Logger, respond: Any) -> None:
    logger.exception("unhandled error while handling a %s request", body.get("type") or "slash command")
    if body.get("response_url"):
        try:
            respond(
                text="Sorry, something went wrong on my side; it has been logged. Please try again.",
                response_type="ephemeral",
                replace_original=False,
            )
        except Exception:
            logger.warning("could not send the apology either")


def _hide_token_warning(record: logging.LogRecord) -> bool:
    # Bolt reads SLACK_BOT_TOKEN itself and warns that our client (which carries that very
    # token) wins; the warning would only confuse an admin reading the log.
    return "`token` will be unused" not in record.getMessage()


def create_app(settings: Settings, *, socket_mode: bool = False, process_before_response: bool = False) -> Dibs:
    """Build a bot: migrate the database, create the Bolt app, register every listener."""
    from handlers import register_listeners

    engine = make_engine(settings.database_url)
    migrate(engine)
    bolt_log = logging.getLogger("slack_bolt.App")
    if _hide_token_warning not in bolt_log.filters:
        bolt_log.addFilter(_hide_token_warning)
    db = make_session_factory(engine)
    app = App(
        client=make_client(settings),
        signing_secret=settings.signing_secret or ("unused-in-socket-mode" if socket_mode else None),
        request_verification_enabled=not socket_mode,
        process_before_response=process_before_response,
        ignoring_self_events_enabled=True,
    )
    app.use(_dedupe_middleware(db))
    app.error(_log_and_apologise)
    dibs = Dibs(settings=settings, engine=engine, db=db, app=app)
    register_listeners(app, dibs)
    return dibs

"""`create_app(settings)`: the Bolt app, its Web API client, the database and the scheduler.

Nothing here lives at module level, so tests can build as many bots as they need.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.web import SlackResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.delivery.courier import Courier
from bot.digest.plan import plan_digests
from bot.editor.handling import handling
from bot.installs.lifecycle import installed, uninstalled
from bot.installs.oauth import StoredBotAuthorize, installation_store, oauth_settings, refuse_other_workspaces
from bot.installs.tokens import Clients, ManyWorkspaces, OneWorkspace
from bot.intake.catchup import catch_up
from bot.intake.channels import forget_old_events
from bot.intake.feeds import Fetch, fetch, poll_feeds, sync_settings_feeds
from bot.reminders.planning import plan_due_dates, plan_nags
from bot.reminders.stale import plan_stale_claims, resume_quiet_clocks
from bot.services import Services, groups, request_scope
from bot.services.recovery import recover_missed_reactions
from bot.services.seater import Seater
from bot.settings import Settings
from bot.slack.admins import AdminGroup
from bot.slack.dates import warm_up_dates
from bot.slack.identity import AuthAnswers, default_retry_handlers, make_client
from bot.staffing.offers import expire_offers
from bot.staffing.presence import schedule_people
from bot.staffing.seating import post_rosters
from bot.tasks.retention import forget_closed_when_due
from bot.web import wsgi_app
from store.db import database_answers, make_engine, make_reader_factory, make_session_factory, migrate
from store.queries.workspaces import installed_teams, mark_installed

log = logging.getLogger(__name__)
NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class Dibs:
    """One running bot: its services (database, settings, clock), Bolt app, courier and background jobs."""

    services: Services
    engine: Engine
    app: App
    courier: Courier
    background: WebClient  # Bolt's client: the bot token's (one workspace), or none (the OAuth flow's)
    clients: Clients  # each workspace's clients: the courier's, and the background jobs' (they wait out 429s)
    scheduler: BackgroundScheduler | None = None
    seater: Seater | None = None
    _team_id: str | None = None
    _admins_read_at: datetime = NEVER

    @property
    def db(self) -> sessionmaker[Session]:
        """The session factory."""
        return self.services.db

    @property
    def settings(self) -> Settings:
        """The settings this bot was built with."""
        return self.services.settings

    def tick(self, now: datetime) -> None:
        """One pass of the schedule at `now`: what is due goes into the outbox (the courier sends it)."""
        plan_due_dates(self.services, now)
        expire_offers(self.services, now)
        post_rosters(self.services, now)
        plan_nags(self.services, now)
        plan_stale_claims(self.services, now)
        plan_digests(self.services, now)
        forget_closed_when_due(self.services, now)  # retention.closed_after

    def deliver(self, now: datetime | None = None, linger: timedelta = timedelta(seconds=5)) -> int:
        """Make every Slack call due at `now` (and within `linger`) in this thread; the courier does it in
        the background when Dibs runs, tests call this."""
        return self.courier.drain(now, linger)

    @property
    def many_workspaces(self) -> bool:
        """Installed per workspace through Slack's OAuth flow, rather than with one bot token."""
        return self.settings.many_workspaces

    def recover(self) -> int:
        """Catch up on reactions made while no Dibs process was running."""
        return recover_missed_reactions(self.clients.background, self.services)

    def read_admins(self) -> None:
        """Read the admins group (for workspaces that asked, every 10 min for all), and who may claim (`groups`)."""
        svc = self.services
        stale = svc.now() - self._admins_read_at > timedelta(minutes=10)
        teams = set(svc.admins_requests) | (set(self.workspaces()) if stale else set())
        svc.admins_requests.clear()
        for team_id in teams - {""}:
            client = self.clients.background(team_id)
            if client is not None:
                svc.admins.refresh(client, team_id)
        if stale:
            self._admins_read_at = svc.now()
        groups.read_groups(svc, self.clients.background, self.workspaces())

    def workspaces(self) -> list[str]:
        """The workspaces Dibs serves: the bot token's, or every one that installed it (and is still there)."""
        if not self.many_workspaces:
            return [self.team_id()]
        with self.services.read() as session:
            return installed_teams(session)

    def team_id(self) -> str:
        """The workspace of the bot token (one workspace; with many there is none)."""
        if self.many_workspaces:
            raise RuntimeError("Dibs serves many workspaces: there is no one team id")
        if self._team_id is None:
            self._team_id = str(self.background.auth_test().get("team_id") or "")
        return self._team_id

    def poll_feeds(self, fetcher: Fetch = fetch) -> int:
        """Read the feeds that are due; their new items become tasks."""
        return poll_feeds(self.services, fetcher)

    def catch_up(self) -> int:
        """Turn posts made while no Dibs process was running (or Slack gave up on us) into tasks."""
        return catch_up(self.clients.background, self.services)

    @property
    def tick_seconds(self) -> float:
        """Often enough for the shortest nag interval, never more than every 30 s."""
        shortest = min(self.settings.nag.first_after, self.settings.nag.every).total_seconds()
        return min(max(shortest / 4, 0.5), 30.0)

    def start(self) -> None:
        """Start the courier and the jobs (each process runs its own; the database decides what is due)."""
        if not self.many_workspaces:  # the token works (Bolt checked it): Dibs may speak there
            with self.services.transaction() as tx:
                mark_installed(tx.session, self.team_id())
        sync_settings_feeds(self.services, None if self.many_workspaces else self.team_id(), self.settings.feeds)
        resume_quiet_clocks(self.services)
        self.courier.start()
        self.seater = Seater(self.services)
        self.seater.start()
        scheduler = BackgroundScheduler(timezone="UTC")
        every = {"coalesce": True, "max_instances": 1, "replace_existing": True}
        now = self.services.now()  # the first tick runs at once: catch up on what fell due while no process ran
        scheduler.add_job(self._tick_now, "interval", seconds=self.tick_seconds, id="tick", next_run_time=now, **every)
        scheduler.add_job(self.recover, id="recover_missed_reactions", replace_existing=True)
        soon = now + timedelta(seconds=5)  # dateparser's first read: after start-up, before posts
        scheduler.add_job(warm_up_dates, id="warm_up_dates", next_run_time=soon, replace_existing=True)
        scheduler.add_job(self.catch_up, "interval", minutes=30, id="catch_up", next_run_time=now, **every)
        scheduler.add_job(forget_old_events, "interval", hours=6, args=[self.services], id="forget_old_events", **every)
        # Feeds and calendars, each read when it is due: looked for as often as the tick.
        scheduler.add_job(
            self.poll_feeds, "interval", seconds=self.tick_seconds, id="feeds", next_run_time=now, **every
        )
        # The admins group, and who may claim (kinds.X.claimers).
        scheduler.add_job(self.read_admins, "interval", seconds=30, id="admins", next_run_time=now, **every)
        schedule_people(scheduler, self.services, self.clients.background)  # who is away (availability)
        scheduler.start()
        self.scheduler = scheduler

    def _tick_now(self) -> None:
        self.tick(self.services.now())

    def shutdown(self) -> None:
        """Stop the jobs and the courier (handing back its leases), and close the database connections."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self.seater is not None:
            self.seater.stop()
            self.seater = None
        self.courier.stop()
        self.engine.dispose()

    def wsgi(self) -> Any:
        """The WSGI application: Slack's requests at POST /slack/events (behind the gate), GET /healthz, and
        with many workspaces the install pages (GET /slack/install, GET /slack/oauth_redirect)."""
        return wsgi_app(
            self.app, self.settings.signing_secret, lambda: database_answers(self.engine), self.services,
            None if self.many_workspaces else self.team_id, self.services.traffic,
        )  # fmt: skip


def _hide_token_warning(record: logging.LogRecord) -> bool:
    # Bolt reads SLACK_BOT_TOKEN itself and warns that our client (which carries that very
    # token) wins; the warning would only confuse an admin reading the log.
    return "`token` will be unused" not in record.getMessage()


def create_app(
    settings: Settings,
    *,
    socket_mode: bool = False,
    clock: Clock | None = None,
    retry_handlers: Sequence[RetryHandler] | None = None,
    identity: SlackResponse | None = None,
) -> Dibs:
    """Build a bot: migrate the database, create the Bolt app, register every listener.

    `identity` is auth.test's answer when the caller has asked already (`dibs serve` checks the token
    first): Bolt, the team id, links and recovery then use it, and Slack is not asked again.

    Listeners run before the response (`process_before_response`): each records what a request
    means in one short transaction and returns, so Slack's 200 means it is kept. Nothing on a
    request thread calls Slack; the courier does, after.
    """
    engine = make_engine(settings.database_url)
    migrate(engine)
    bolt_log = logging.getLogger("slack_bolt.App")
    if _hide_token_warning not in bolt_log.filters:
        bolt_log.addFilter(_hide_token_warning)
    installs = ManyWorkspaces(installation_store(settings, engine)) if settings.many_workspaces else None
    services = Services(
        db=make_session_factory(engine),
        settings=settings,
        clock=clock or SystemClock(),
        reader=make_reader_factory(engine),
        admins=AdminGroup(settings.admins),
        installs=installs or OneWorkspace(settings.bot_token),
    )
    handlers = default_retry_handlers() if retry_handlers is None else list(retry_handlers)
    answers = AuthAnswers()  # auth.test once per token: `dibs serve` has asked already (`identity`)
    if identity is not None and settings.bot_token:
        answers.remember(settings.bot_token, identity)
    background = make_client(settings, handlers, answers=answers)
    # The courier honours Retry-After itself (the row waits, the worker moves on), so its clients
    # leave 429s to it; lost connections and 5xx are still retried by slack_sdk.
    clients = Clients(services.installs, lambda token, kept: make_client(settings, kept, token, answers), handlers)
    app = _bolt_app(settings, engine, services, installs, background, socket_mode)
    courier = Courier(
        services, services.doorbell, services.clock, clients.courier, handling=handling(services),
        traffic=services.traffic,
        on_gone=lambda team_id, why: uninstalled(services, team_id, why), evict=services.installs.evict,
    )  # fmt: skip
    return Dibs(services=services, engine=engine, app=app, courier=courier, background=background, clients=clients)


class DibsApp(App):
    """Bolt's App; each request is handled in its own `request_scope` (what it should do once ends with it)."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Bolt's dispatch, in a request scope."""
        with request_scope(req.body):
            return super().dispatch(req)


def _bolt_app(
    settings: Settings,
    engine: Engine,
    services: Services,
    installs: ManyWorkspaces | None,
    client: WebClient,
    socket_mode: bool,
) -> App:
    """The Bolt app with every listener: one bot token's, or (with `installs`) the OAuth flow's, where each
    request gets its workspace's bot from the installation store."""
    from handlers import register_listeners

    oauth: dict[str, Any] = {}
    if installs is not None:
        oauth = {
            "oauth_settings": oauth_settings(settings, engine, installs, lambda team: installed(services, team)),
            "authorize": StoredBotAuthorize(installs),
            "before_authorize": refuse_other_workspaces(installs),
        }
    app = DibsApp(
        client=client,
        signing_secret=settings.signing_secret or ("unused-in-socket-mode" if socket_mode else None),
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        ignoring_self_events_enabled=True,
        **oauth,
    )
    register_listeners(app, services)
    return app

"""`dibs doctor`: is this Dibs set up right? One line per check, and exit status 1 if one fails.

It changes nothing: it does not create the database, migrate it, join channels or post.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.checks import StartupError, check_slack, first_line, quiet_client, shown_url, sqlite_file_missing
from bot.settings import Settings
from bot.slack.scopes import BOT_SCOPES, granted_scopes
from store.db import HEAD, make_engine, schema_revision
from store.queries.channels import watched_channel_ids

Write = Callable[[str], object]


@dataclass
class Report:
    """The lines printed so far, and whether a check failed."""

    write: Write
    failed: bool = False
    lines: list[str] = field(default_factory=list)

    def ok(self, text: str) -> None:
        """A check that passed."""
        self._line("ok  ", text)

    def fail(self, text: str) -> None:
        """A check that failed: the exit status will say so."""
        self.failed = True
        self._line("FAIL", text)

    def note(self, text: str) -> None:
        """Something to know that is not a failure (a check that could not run, say)."""
        self._line("--  ", text)

    def _line(self, mark: str, text: str) -> None:
        self.lines.append(f"{mark} {text}")
        self.write(f"{mark} {text}")


def check_database(settings: Settings, report: Report) -> bool:
    """The database answers and is at the latest migration; True when it can be read."""
    where = shown_url(settings.database_url)
    if sqlite_file_missing(settings.database_url):
        report.fail(f"database: there is no {where} yet; `dibs migrate` (or `dibs serve`) creates it")
        return False
    engine = make_engine(settings.database_url)
    try:
        revision = schema_revision(engine)
    except SQLAlchemyError as error:
        report.fail(f"database: cannot open {where}: {first_line(error)}")
        return False
    finally:
        engine.dispose()
    if revision == HEAD:
        report.ok(f"database: {where} answers and is at the latest migration ({HEAD})")
        return True
    report.fail(f"database: {where} is at migration {revision or 'none'}, not {HEAD}; run `dibs migrate`")
    return revision is not None


def check_scopes(answer: SlackResponse, report: Report) -> None:
    """The token has every bot scope app_manifest.yml declares."""
    granted = granted_scopes(answer.headers)
    if granted is None:
        report.note("scopes: Slack did not say which scopes the token has (no x-oauth-scopes header)")
        return
    missing = sorted(set(BOT_SCOPES) - granted)
    if missing:
        report.fail(
            f"scopes: the token lacks {', '.join(missing)}, which app_manifest.yml asks for; add them under "
            "OAuth & Permissions (or paste the manifest again) and reinstall the app"
        )
    else:
        report.ok(f"scopes: the token has all {len(BOT_SCOPES)} scopes app_manifest.yml asks for")


def _membership(client: WebClient, channel_id: str) -> tuple[str, bool | str]:
    """(`#name`, is Dibs a member) or (`channel`, Slack's error)."""
    try:
        info = client.conversations_info(channel=channel_id)
    except SlackApiError as error:
        return channel_id, str(error.response.get("error") or "error")
    except (SlackClientError, OSError) as error:
        return channel_id, str(error)
    channel = info.get("channel") or {}
    return f"#{channel.get('name') or channel_id} ({channel_id})", bool(channel.get("is_member"))


def check_channels(settings: Settings, client: WebClient, team_id: str, report: Report) -> None:
    """Dibs is a member of every channel it watches (else it sees none of their posts)."""
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            channels = watched_channel_ids(session, team_id)
    finally:
        engine.dispose()
    outside = []
    for channel_id in channels:
        name, member = _membership(client, channel_id)
        if member is False:
            outside.append(f"{name}: not a member, `/invite @Dibs` there")
        elif member is not True:
            outside.append(f"{name}: Slack says {member}")
    if outside:
        report.fail(f"channels: Dibs watches {len(channels)} but cannot read {len(outside)}: {'; '.join(outside)}")
    elif channels:
        report.ok(f"channels: Dibs is a member of all {len(channels)} watched channels")
    else:
        report.note("channels: none watched yet; type `/dibs watch` in the channel where marketing posts")


def doctor(settings: Settings, write: Write = print) -> int:
    """Run every check; 0 when all passed, 1 when one failed."""
    report = Report(write)
    database_ok = check_database(settings, report)
    if not settings.bot_token:
        report.fail("slack: SLACK_BOT_TOKEN is not set (the Bot User OAuth Token, xoxb-…)")
        return 1
    client = quiet_client(settings)
    try:
        answer = check_slack(settings, client)
    except StartupError as error:
        report.fail(f"slack: {error}")
        return 1
    team, user = answer.get("team") or answer.get("team_id"), answer.get("user") or answer.get("user_id")
    report.ok(f"slack: {settings.api_url} accepts SLACK_BOT_TOKEN (workspace {team}, bot user @{user})")
    check_scopes(answer, report)
    if database_ok:
        check_channels(settings, client, str(answer.get("team_id") or ""), report)
    else:
        report.note("channels: not checked (the database cannot be read)")
    return 1 if report.failed else 0

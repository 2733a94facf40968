"""The `dibs` command: `dibs demo`, `dibs serve --http|--socket`, `dibs doctor`, `dibs migrate`,
`dibs gifts import`, `dibs export`, `dibs purge TEAM_ID`, `dibs classify TEXT`."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from bot import logs
from bot.checks import README_APP, README_MANY, first_line
from bot.settings import Settings, SettingsError, load_settings

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
APP_CREDENTIALS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")
ENVIRONMENT = """\
environment:
  SLACK_BOT_TOKEN       the bot token, xoxb-… (serve, doctor)
  SLACK_SIGNING_SECRET  verifies Slack's requests (serve --http)
  SLACK_APP_TOKEN       the app-level token, xapp-… (serve --socket)
  SLACK_API_URL         Web API base URL (default https://slack.com/api/)
  DATABASE_URL          SQLAlchemy URL (default sqlite:///dibs.db: a file in the working directory)
  DIBS_CONFIG           path of the optional YAML settings file
  DIBS_INTAKE_TOKEN     opens POST /intake to callers that send it
  DIBS_LOG_FORMAT       text (default) or json: one JSON object per line
  PROMETHEUS_MULTIPROC_DIR  a directory where a host's processes share their metrics
  SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET
                        many workspaces: Slack's install flow instead of SLACK_BOT_TOKEN

Try it without Slack: dibs demo --seed. Creating the Slack app, the settings file and every
/dibs command: README.md, beside app_manifest.yml in Dibs's source."""


def _problem(settings: Settings, socket_mode: bool) -> str | None:
    """What stops Dibs from serving with these settings, in one sentence (None: nothing)."""
    credentials = {"SLACK_CLIENT_ID": settings.client_id, "SLACK_CLIENT_SECRET": settings.client_secret,
                   "SLACK_STATE_SECRET": settings.state_secret}  # fmt: skip
    if settings.bot_token and any(credentials.values()):
        return (
            "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and"
            f" SLACK_STATE_SECRET (many workspaces), not both; {README_MANY}."
        )
    if not settings.bot_token and any(credentials.values()):
        missing = next((name for name, value in credentials.items() if not value), None)
        if missing:
            return (
                f"{missing} is not set (Dibs serves many workspaces with {', '.join(APP_CREDENTIALS)}); {README_MANY}."
            )
        if socket_mode:
            return f"many workspaces need `dibs serve --http`: Slack sends installers back over HTTP; {README_MANY}."
        return None if settings.signing_secret else f"SLACK_SIGNING_SECRET is not set; {README_MANY}."
    needed = {"SLACK_BOT_TOKEN": settings.bot_token}
    if socket_mode:
        needed["SLACK_APP_TOKEN"] = settings.app_token
    else:
        needed["SLACK_SIGNING_SECRET"] = settings.signing_secret
    missing = next((name for name, value in needed.items() if not value), None)
    return f"{missing} is not set; {README_APP}." if missing else None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dibs")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _level(text: str) -> str:
    if text.upper() not in LEVELS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a log level; use one of {', '.join(LEVELS)}")
    return text.upper()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dibs",
        description="Dibs: a Slack bot that makes sure every marketing follow-up has an owner.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dibs {_version()}")
    parser.add_argument("--log-level", default="INFO", type=_level, help="DEBUG, INFO, WARNING or ERROR (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _demo_parser(sub)
    serve = sub.add_parser(
        "serve",
        help="run the bot",
        description="Run the bot: answer Slack's events, slash commands and clicks, and send reminders and "
        "digests. Checks the token with Slack and migrates the database first; stops cleanly on SIGTERM.",
    )
    mode = serve.add_mutually_exclusive_group(required=True)
    mode.add_argument("--http", action="store_true", help="serve Slack's requests at POST /slack/events")
    mode.add_argument("--socket", action="store_true", help="connect to Slack over Socket Mode")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on with --http (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=3000, help="port to listen on with --http (default 3000)")
    serve.add_argument("--threads", type=int, default=8, help="HTTP worker threads (default 8)")
    serve.add_argument("--metrics-port", type=int, metavar="PORT", help="serve /metrics, /readyz, /healthz here too")
    sub.add_parser(
        "doctor",
        help="check the token, its scopes, the watched channels and the database",
        description="Check the setup, one line per check: Slack takes SLACK_BOT_TOKEN, the token has every scope "
        "app_manifest.yml asks for, Dibs is a member of every watched channel, the database answers and is at the "
        "latest migration. Exits 1 if a check fails.",
    )
    sub.add_parser("migrate", help="bring the database schema up to date and exit")
    gifts = sub.add_parser("gifts", help="gift campaigns").add_subparsers(dest="gifts_command", required=True)
    load = gifts.add_parser("import", help="add recipients from a CSV (a name column; email, company, address, owner)")
    load.add_argument("task_id", type=int, help="the campaign's task id, like 12")
    load.add_argument("file", help="the CSV file")
    export = sub.add_parser("export", help="write every task with its owners and audit trail (CSV or JSON)")
    export.add_argument("--since", default="30d", help="tasks created or changed in this long: 7d, 30d… or all")
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="csv (default) or json")
    export.add_argument("--team", nargs="+", metavar="T", help="only these workspaces (team ids); default all")
    export.add_argument("--output", "-o", help="write to this file instead of standard output")
    purge = sub.add_parser("purge", help="remove every row of a workspace that uninstalled Dibs")
    purge.add_argument("team_id", help="the workspace's id, like T0123ABCD")
    classify = sub.add_parser(
        "classify", help="say which kind a post would become, and why (the settings file's kinds)"
    )
    classify.add_argument("text", help='the post\'s text, like "Someone left a comment on the blog"')
    classify.add_argument("--team", help="with the phrases this workspace's admins added (reads DATABASE_URL)")
    return parser


def _demo_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser(
        "demo",
        help="try Dibs in the browser, without Slack",
        description="Run Dibs against a small stand-in for Slack on 127.0.0.1 and show it as a web page: post, "
        "react, click, type /dibs commands and move the clock on. Keeps its data in dibs-demo.db and "
        "dibs-demo.json in the working directory; needs no token and no network.",
    )
    demo.add_argument("--seed", action="store_true", help="start with sample posts (a booth, a blog comment, a gift)")
    demo.add_argument("--reset", action="store_true", help="forget the demo's posts and tasks and start over")
    demo.add_argument("--port", type=int, default=3000, help="the page's port on 127.0.0.1 (default 3000)")
    demo.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `dibs` console script."""
    args = _parser().parse_args(argv)
    try:
        logs.setup(args.log_level)  # DIBS_LOG_FORMAT: text or json
    except logs.LogFormatError as error:
        print(f"dibs: bad setting: {error}", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except SettingsError as error:
        logs.say(f"dibs: bad setting: {error}")
        return 2
    logs.add_secrets(*settings.secrets)
    if args.command == "demo":
        from bot.demo.run import run_demo

        return run_demo(settings, seed=args.seed, reset=args.reset, port=args.port, browser=not args.no_browser)
    if args.command == "migrate":
        return migrate_database(settings)
    if args.command == "gifts":
        return import_gifts(settings, args.task_id, args.file)
    if args.command == "doctor":
        from bot.doctor import doctor

        return doctor(settings)
    if args.command == "export":
        return export(settings, args.since, args.format, args.team, args.output)
    if args.command == "purge":
        return purge(settings, args.team_id)
    if args.command == "classify":
        from bot.intake.explain import classify_command

        return classify_command(settings, args.text, args.team)
    problem = _problem(settings, socket_mode=args.socket)
    if problem:
        logs.say(f"dibs: {problem}")
        return 2
    from bot.serve import serve

    return serve(settings, socket_mode=args.socket, host=args.host, port=args.port, threads=args.threads,
                 metrics_port=args.metrics_port)  # fmt: skip


def migrate_database(settings: Settings) -> int:
    """`dibs migrate`: bring the schema to the newest revision, or say in one line why not."""
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import make_engine, migrate

    try:
        migrate(make_engine(settings.database_url))
    except SQLAlchemyError as error:
        logs.say(f"dibs: cannot migrate the database at DATABASE_URL: {first_line(error)}")
        return 2
    print("dibs: the database schema is up to date")
    return 0


def import_gifts(settings: Settings, task_id: int, path: str) -> int:
    """`dibs gifts import TASK_ID FILE.csv`: the running bot updates the campaign's thread within a second."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.clock import SystemClock
    from bot.gifts.recipients import RecipientsError, read_recipients
    from bot.gifts.service import import_recipients
    from bot.services import Services
    from bot.tasks.errors import DibsError
    from store.db import make_engine, make_session_factory, migrate
    from store.queries.tasks import team_of_task

    try:
        with open(path, encoding="utf-8-sig") as file:
            found = read_recipients(file.read())
        engine = make_engine(settings.database_url)
        migrate(engine)
        svc = Services(make_session_factory(engine), settings, SystemClock())
        with svc.read() as session:
            team_id = team_of_task(session, task_id)
        if team_id is None:
            raise DibsError(f"there is no task #{task_id}")
        added, total = import_recipients(svc, team_id, task_id, found, actor="cli")
    except (OSError, RecipientsError, DibsError, SQLAlchemyError) as error:
        print(f"dibs: cannot import {path}: {first_line(error) if isinstance(error, SQLAlchemyError) else error}",
              file=sys.stderr)  # fmt: skip
        return 2
    print(f"dibs: #{task_id} has {total} recipients ({added} new)")
    return 0


def export(settings: Settings, since: str, fmt: str, teams: Sequence[str] | None, output: str | None) -> int:
    """`dibs export`: tasks, owners and audit trail, for spreadsheets and BI tools (private channels too:
    whoever runs this reads the database anyway)."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from bot.insight.export import export_records, render
    from bot.settings import parse_duration
    from bot.slack.text import plural
    from store.db import make_engine, make_session_factory
    from store.models import Task

    try:
        start = None if since == "all" else datetime.now(UTC) - parse_duration("--since", since)
    except SettingsError as error:
        print(f"dibs: {error}", file=sys.stderr)
        return 2
    try:
        engine = make_engine(settings.database_url)
        with make_session_factory(engine).begin() as session:
            records = export_records(session, Task.team_id.in_(teams) if teams else None, start)
        engine.dispose()
    except SQLAlchemyError as error:
        print(f"dibs: cannot read the database at DATABASE_URL: {first_line(error)}", file=sys.stderr)
        return 2
    text = render(records, fmt)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        print(f"dibs: wrote {plural(len(records), 'task')} to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def purge(settings: Settings, team_id: str) -> int:
    """`dibs purge TEAM_ID`: every row of a workspace that uninstalled Dibs, gone for good."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.clock import SystemClock
    from bot.installs.purge import purge_workspace
    from bot.services import Services
    from bot.tasks.errors import DibsError
    from store.db import make_engine, make_session_factory, migrate

    if not re.fullmatch(r"T[A-Z0-9]{2,20}", team_id):
        print(f"dibs: {team_id!r} is not a workspace id; write it like T0123ABCD", file=sys.stderr)
        return 2
    try:
        engine = make_engine(settings.database_url)
        migrate(engine)
        purged = purge_workspace(Services(make_session_factory(engine), settings, SystemClock()), team_id)
    except DibsError as error:
        print(f"dibs: cannot purge {team_id}: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"dibs: cannot purge {team_id}: {first_line(error)}", file=sys.stderr)
        return 2
    if not purged.total:
        print(f"dibs: there was nothing of {team_id} to remove")
        return 0
    rows = ", ".join(f"{count} {table}" for table, count in sorted(purged.rows.items()))
    print(f"dibs: removed every row of {team_id} ({rows})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

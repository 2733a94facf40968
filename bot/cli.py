"""The `dibs` command: `dibs demo`, `dibs serve --http|--socket`, `dibs doctor`, `dibs migrate`, `dibs gifts import`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.checks import README_APP, first_line
from bot.settings import Settings, SettingsError, load_settings

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
ENVIRONMENT = """\
environment:
  SLACK_BOT_TOKEN       the bot token, xoxb-… (serve, doctor)
  SLACK_SIGNING_SECRET  verifies Slack's requests (serve --http)
  SLACK_APP_TOKEN       the app-level token, xapp-… (serve --socket)
  SLACK_API_URL         Web API base URL (default https://slack.com/api/)
  DATABASE_URL          SQLAlchemy URL (default sqlite:///dibs.db: a file in the working directory)
  DIBS_CONFIG           path of the optional YAML settings file
  DIBS_INTAKE_TOKEN     opens POST /intake to callers that send it

Try it without Slack: dibs demo --seed. Creating the Slack app, the settings file and every
/dibs command: README.md, beside app_manifest.yml in Dibs's source."""


def _missing(settings: Settings, socket_mode: bool) -> str | None:
    needed = {"SLACK_BOT_TOKEN": settings.bot_token}
    if socket_mode:
        needed["SLACK_APP_TOKEN"] = settings.app_token
    else:
        needed["SLACK_SIGNING_SECRET"] = settings.signing_secret
    return next((name for name, value in needed.items() if not value), None)


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
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # A line per scheduler tick and per Alembic plugin is noise in an admin's log.
    for chatty in ("apscheduler", "alembic.runtime.plugins"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"dibs: bad setting: {error}", file=sys.stderr)
        return 2
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
    missing = _missing(settings, socket_mode=args.socket)
    if missing:
        print(f"dibs: {missing} is not set; {README_APP}.", file=sys.stderr)
        return 2
    from bot.serve import serve

    return serve(settings, socket_mode=args.socket, host=args.host, port=args.port, threads=args.threads)


def migrate_database(settings: Settings) -> int:
    """`dibs migrate`: bring the schema to the newest revision, or say in one line why not."""
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import make_engine, migrate

    try:
        migrate(make_engine(settings.database_url))
    except SQLAlchemyError as error:
        print(f"dibs: cannot migrate the database at DATABASE_URL: {first_line(error)}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())

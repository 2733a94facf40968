"""The framework floor: a bare slack-bolt app with no-op listeners, served by waitress like `dibs serve --http`.

It takes the same environment as Dibs (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL; Bolt calls
auth.test on the fake Slack at start, as Dibs does), verifies every request's signature, acks `message`
and `reaction_added` events, the `/dibs` command and any block action, and does nothing else. GET /healthz
answers 200 so the benchmark waits for it the same way as for Dibs.

    python -m bench.floor --host 127.0.0.1 --port 3000 --threads 8

bench/workfloor.py builds the work floor on the same pieces (`bolt_app`, `wsgi`, `serve`).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def web_client() -> WebClient:
    """slack_sdk's client on SLACK_BOT_TOKEN, calling SLACK_API_URL (the fake Slack) like Dibs."""
    return WebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ.get("SLACK_API_URL") or "https://slack.com/api/"
    )


def bolt_app(process_before_response: bool = False) -> App:
    """A Bolt app with Dibs's signature checks and no listeners; Bolt calls auth.test at start."""
    return App(
        client=web_client(),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=process_before_response,
    )


def create_floor() -> App:
    """The Bolt app: same signature checks as Dibs, listeners that only ack."""
    app = bolt_app()

    @app.event("message")
    def on_message() -> None:
        pass

    @app.event("reaction_added")
    def on_reaction() -> None:
        pass

    @app.command("/dibs")
    def on_command(ack: Ack) -> None:
        ack()

    @app.action(re.compile(".*"))
    def on_action(ack: Ack) -> None:
        ack()

    return app


def wsgi(app: App) -> Wsgi:
    """Slack's requests at POST /slack/events, and GET /healthz."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


def serve(create: Callable[[], App], prog: str, description: str, ident: str) -> None:
    """Parse --host, --port, --threads; build the app with `create`; serve it with waitress until killed."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    waitress.serve(wsgi(create()), host=args.host, port=args.port, threads=args.threads, ident=ident)


def main() -> None:
    serve(create_floor, "python -m bench.floor", __doc__.splitlines()[0], "floor")


if __name__ == "__main__":
    main()

"""The floor: a bare slack-bolt app with no-op listeners, served by waitress like `dibs serve --http`.

It takes the same environment as Dibs (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL; Bolt calls
auth.test on the fake Slack at start, as Dibs does), verifies every request's signature, acks `message`
and `reaction_added` events, the `/dibs` command and any block action, and does nothing else. GET /healthz
answers 200 so the benchmark waits for it the same way as for Dibs.

    python -m bench.floor --host 127.0.0.1 --port 3000 --threads 8
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


def create_floor() -> App:
    """The Bolt app: same signature checks as Dibs, listeners that only ack."""
    client = WebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ.get("SLACK_API_URL") or "https://slack.com/api/"
    )
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    waitress.serve(wsgi(create_floor()), host=args.host, port=args.port, threads=args.threads, ident="floor")


if __name__ == "__main__":
    main()

"""deploy/smoke.sh's Slack side: signed requests to a running `dibs serve --http`, checked on the fake Slack.

    PYTHONPATH=. .venv/bin/python deploy/smoke_client.py --bot http://127.0.0.1:3000 \\
        --fake http://127.0.0.1:41234/api/ --secret SIGNING_SECRET

Sends `/dibs watch` in C111 and then a post with a keyword ("We got a booth at the Springfield Expo - who
can staff it?") as an Events API message event, both signed as Slack signs them (v0, HMAC-SHA256 over
`v0:{timestamp}:{body}` with the signing secret: tests/support/payloads.py), and waits until the fake Slack
(deploy/fake_slack.py) has recorded Dibs's question: a chat.postMessage whose thread_ts is the post's ts.
Exit 0 when it has, 1 with what was seen otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from typing import Any

from tests.support.payloads import Sender, message_event

POST = "We got a booth at the Springfield Expo - who can staff it?"


def recorded(fake_api_url: str, method: str) -> list[dict[str, Any]]:
    site = fake_api_url.rstrip("/").removesuffix("/api")
    with urllib.request.urlopen(f"{site}/_smoke/calls?method={method}", timeout=5) as answer:
        return list(json.load(answer))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bot", required=True, help="the bot's base URL, like http://127.0.0.1:3000")
    parser.add_argument("--fake", required=True, help="the fake Slack's base URL (SLACK_API_URL)")
    parser.add_argument("--secret", required=True, help="the signing secret the bot was given")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the question")
    args = parser.parse_args()
    slack = Sender(args.secret, url=f"{args.bot.rstrip('/')}/slack/events")
    started = time.monotonic()

    unsigned = Sender("not-the-secret", url=slack.url).command("watch")
    if unsigned.status != 401:
        print(f"smoke: a badly signed /dibs watch got {unsigned.status}, not 401", file=sys.stderr)
        return 1
    watch = slack.command("watch")
    print(f"smoke: /dibs watch -> {watch.status} {watch.body[:100]!r}")
    if watch.status != 200:
        return 1

    post = message_event(POST)
    event = slack.event(post)
    print(f"smoke: message event (ts {post['ts']}) -> {event.status}")
    if event.status != 200:
        return 1

    deadline = time.monotonic() + args.timeout
    while True:
        calls = recorded(args.fake, "chat.postMessage")
        questions = [c for c in calls if c["params"].get("thread_ts") == post["ts"]]
        if questions:
            text = json.dumps(questions[0]["params"].get("blocks") or questions[0]["params"].get("text"))
            print(f"smoke: question in the post's thread after {time.monotonic() - started:.2f}s "
                  f"(status {questions[0]['status']}): {text[:160]}")  # fmt: skip
            return 0
        if time.monotonic() > deadline:
            seen = [c["method"] for c in recorded(args.fake, "")]
            print(f"smoke: no chat.postMessage in thread {post['ts']} after {args.timeout:.0f}s; "
                  f"the fake Slack saw: {seen}", file=sys.stderr)  # fmt: skip
            return 1
        time.sleep(0.1)


if __name__ == "__main__":
    raise SystemExit(main())

"""The tests' fake Slack Web API (tests/support/fakeslack.py), served on 127.0.0.1 for deploy/smoke.sh.

    PYTHONPATH=. .venv/bin/python deploy/fake_slack.py --url-file /tmp/fake.url

Prints its base URL (what SLACK_API_URL should be, like http://127.0.0.1:41234/api/) and writes it to
--url-file once it is listening, then serves until SIGTERM or Ctrl+C. Besides the Web API it answers
GET /_smoke/calls[?method=chat.postMessage] with the calls it recorded, as JSON, for the smoke's checks.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.fakeslack import FakeSlack


class SmokeSlack(FakeSlack):
    """FakeSlack whose recorded calls can be read over HTTP by another process."""

    def _handle(self, req: Any) -> None:
        url = urlsplit(req.path)
        if url.path != "/_smoke/calls":
            return super()._handle(req)
        method = dict(parse_qsl(url.query)).get("method") or None
        calls = [{"method": c.method, "params": c.params, "status": c.status, "response": c.response}
                 for c in self.calls(method)]  # fmt: skip
        req.send(200, json.dumps(calls, default=str))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url-file", help="write the base URL here once listening")
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    fake = SmokeSlack().start()
    try:
        if args.url_file:
            partial = f"{args.url_file}.tmp"
            with open(partial, "w") as out:
                out.write(fake.base_url + "\n")
            os.replace(partial, args.url_file)  # whole or absent: the smoke polls for it
        print(fake.base_url, flush=True)
        stop.wait()
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

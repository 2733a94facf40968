"""Running Dibs the way an operator does: GET /metrics, GET /readyz and JSON logs of a real `dibs serve --http`
(one server for every check: each start costs seconds)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from tests.conftest import SECRET
from tests.support.helpers import BOOTH, replies_stored, wait_until
from tests.support.payloads import Sender, message_event, reaction_event
from tests.support.server import HttpBot, bot_env, free_port

pytestmark = pytest.mark.e2e
ID = re.compile(r'="[UCDGTW][A-Z0-9]{8,}"')  # a label value that is a Slack id
SAMPLE = re.compile(r"^(?P<name>[a-z_:]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def samples(page: str) -> dict[str, float]:
    """`name{labels}` -> value, for every sample of a metrics page."""
    found = {}
    for line in page.splitlines():
        if line and not line.startswith("#"):
            match = SAMPLE.match(line)
            assert match, line
            key = match["name"] + (f"{{{match['labels']}}}" if match["labels"] else "")
            found[key] = float(match["value"])
    return found


def test_metrics_readiness_and_json_logs_of_a_running_server(fake, pg_url, tmp_path):
    ops_port = free_port()
    env = bot_env(fake.base_url, pg_url, DIBS_LOG_FORMAT="json")
    server = HttpBot(env, tmp_path / "dibs.log", ("--metrics-port", str(ops_port)))
    try:
        status, kind, page = get(f"{server.base}/metrics")
        assert status == 200 and kind.startswith("text/plain")
        for name in ("dibs_events_total", "dibs_ack_seconds", "dibs_tasks_created_total", "dibs_claims_total",
                     "dibs_reminders_sent_total", "dibs_digests_posted_total", "dibs_slack_calls_total",
                     "dibs_slack_call_seconds", "dibs_feed_polls_total", "dibs_outbox_pending",
                     "dibs_outbox_oldest_pending_seconds"):  # fmt: skip
            assert f"# TYPE {name} " in page, name
        before = samples(page)
        assert before["dibs_outbox_pending"] == 0 and before["dibs_outbox_oldest_pending_seconds"] == 0

        slack = Sender(SECRET, url=server.events_url)
        assert "Watching" in slack.command("watch").body
        post = message_event(BOOTH)
        fake.fail_next("chat.postMessage", status=429, retry_after=1)  # counted, and a log line about the task
        assert slack.event(post).status == 200
        wait_until(lambda: [c.status for c in fake.calls("chat.postMessage")] == [429, 200], what="the question")
        reply = fake.calls("chat.postMessage")[-1]
        replies_stored(pg_url)
        slack.event(reaction_event("reaction_added", "U2", reply.response["ts"]))
        fake.wait_for("chat.update")
        assert Sender("not-the-secret", url=server.events_url).command("watch").status == 401  # a log line
        assert slack.raw("{broken", "application/json").status == 400

        def counted() -> dict[str, float]:
            return samples(get(f"{server.base}/metrics")[2])

        wait_until(lambda: counted().get('dibs_claims_total{via="reaction"}', 0) >= 1, what="the claim counted")
        after = counted()
        assert after['dibs_events_total{type="message"}'] >= 1
        assert after['dibs_events_total{type="reaction_added"}'] >= 1
        assert after['dibs_events_total{type="slash_command"}'] >= 1
        assert after['dibs_ack_seconds_count{surface="event"}'] >= 2
        assert after['dibs_ack_seconds_count{surface="command"}'] >= 1
        assert sum(v for k, v in after.items() if k.startswith("dibs_tasks_created_total{")) >= 1
        assert after['dibs_slack_calls_total{method="chat.postMessage",outcome="ok"}'] >= 1
        assert after['dibs_slack_call_seconds_count{method="chat.postMessage"}'] >= 1
        assert after['dibs_slack_calls_total{method="chat.postMessage",outcome="rate_limited"}'] == 1
        page = get(f"{server.base}/metrics")[2]
        assert not ID.search(page), ID.search(page)
        assert "Springfield" not in page and SECRET not in page

        # /readyz: every check holds; on --metrics-port too, with /metrics and /healthz.
        status, _, body = get(f"{server.base}/readyz")
        assert (status, body) == (200, "ready\n")
        ops = f"http://127.0.0.1:{ops_port}"
        assert get(f"{ops}/readyz")[0] == 200 and get(f"{ops}/healthz")[0] == 200
        assert "dibs_events_total" in get(f"{ops}/metrics")[2] and get(f"{ops}/slack/events")[0] == 404
    finally:
        server.stop()

    # Every line the process wrote is one JSON object (waitress's and the scheduler's included), and neither
    # the token nor the signing secret is in the log.
    text = server.output()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any("listening" in line["message"] for line in lines)
    assert any("without a valid Slack signature" in line["message"] for line in lines)
    assert "xoxb-test" not in text and SECRET not in text
    [retried] = [line for line in lines if "trying again" in line["message"]]
    assert retried["team_id"] == "T111" and retried["task_id"] == "1"

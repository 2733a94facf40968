"""GET /readyz and GET /metrics in-process: what makes Dibs not ready, and what the metrics count."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from prometheus_client import REGISTRY
from sqlalchemy import create_engine, text

from bot import metrics
from bot.ready import Readiness
from bot.web import with_operations
from store.db import HEAD, make_engine
from tests.conftest import SECRET
from tests.slack.test_docs_and_health import call_wsgi
from tests.support.helpers import BOOTH
from tests.support.payloads import Sender, message_event

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_ready_while_every_check_holds_and_the_reason_when_one_does_not(dibs):
    ready = Readiness(dibs.engine)
    app = with_operations(dibs.wsgi(), ready.reason)
    assert call_wsgi(app, "/readyz") == ("200 OK", b"ready\n")
    assert call_wsgi(app, "/healthz")[0].startswith("200")  # still the bot's own liveness check
    assert Readiness(dibs.engine, token_accepted=False).reason() == "slack: the token was not accepted at start"
    assert Readiness(dibs.engine, connected=lambda: False).reason() == "slack: the Socket Mode connection is not open"
    assert Readiness(dibs.engine, connected=lambda: True).reason() is None


def test_not_ready_when_the_database_is_down_or_its_schema_is_behind(sqlite_schema, tmp_path):
    gone = create_engine(UNREACHABLE, connect_args={"connect_timeout": 1})
    status, body = call_wsgi(with_operations(None, Readiness(gone).reason), "/readyz")
    assert status.startswith("503") and body.startswith(b"database: does not answer (") and body.count(b"\n") == 1
    gone.dispose()

    shutil.copyfile(sqlite_schema, tmp_path / "old.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    behind = f"{int(HEAD) - 1:04d}"
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": behind})
    status, body = call_wsgi(with_operations(None, Readiness(engine).reason), "/readyz")
    assert (status, body.decode()) == ("503 Service Unavailable", f"database: schema at {behind}, expected {HEAD}\n")
    engine.dispose()


def test_the_database_is_asked_at_most_once_a_second():
    ready = Readiness(create_engine("sqlite://"))
    asked = []
    ready.database = lambda: asked.append(1)  # type: ignore[method-assign]
    for _ in range(50):
        assert ready.reason() is None
    assert len(asked) == 1
    ready.ttl = 0
    ready.reason()
    assert len(asked) == 2


def test_metrics_count_tasks_claims_and_calls_and_read_the_outbox(dibs, slack):
    metrics.count_audit_trail()
    metrics.watch_outbox(dibs.engine)
    created = sum(value("dibs_tasks_created_total", kind=k) for k in dibs.settings.kinds)
    posts = value("dibs_slack_calls_total", method="chat.postMessage", outcome="ok")
    commands = value("dibs_events_total", type="slash_command")
    slack.command("watch")
    slack.event(message_event(BOOTH))
    assert sum(value("dibs_tasks_created_total", kind=k) for k in dibs.settings.kinds) == created + 1
    assert value("dibs_slack_calls_total", method="chat.postMessage", outcome="ok") >= posts + 1
    assert value("dibs_events_total", type="slash_command") == commands + 1
    claims = value("dibs_claims_total", via="command")
    slack.command("claim 1", user="U2")
    assert value("dibs_claims_total", via="command") == claims + 1
    assert value("dibs_outbox_pending") == 0 and value("dibs_outbox_oldest_pending_seconds") == 0

    quiet = Sender(SECRET, app=dibs.app)  # nothing delivered: the rows wait
    quiet.event(message_event("Someone left a comment on the blog"))
    assert value("dibs_outbox_pending") >= 1 and value("dibs_outbox_oldest_pending_seconds") >= 0
    page, content_type = metrics.render()
    assert content_type.startswith("text/plain") and b"dibs_outbox_pending " in page


def test_with_a_multiprocess_directory_one_page_counts_every_process(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from bot import metrics; metrics.EVENTS.labels('message').inc()"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True)
    read = "import sys; from bot import metrics; sys.stdout.write(metrics.render()[0].decode())"
    page = subprocess.run([sys.executable, "-c", read], env=env, check=True, capture_output=True, text=True).stdout
    assert 'dibs_events_total{type="message"} 2.0' in page

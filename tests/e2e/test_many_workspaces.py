"""End to end over real HTTP: `dibs serve --http` with the app's credentials (no bot token) against the
fake Slack. Two workspaces install Dibs through the install page, the state cookie, Slack's authorize
page and the redirect; each is answered with its own token; one uninstalls, and nothing more is sent
with its token; a bad or expired state gets a page that says so. SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from store.db import normalise_url
from tests.conftest import SECRET
from tests.support.fakeslack import FakeSlack
from tests.support.helpers import BOOTH, wait_until
from tests.support.installs import OAUTH, get, install
from tests.support.payloads import Sender, message_event
from tests.support.server import HttpBot, bot_env

pytestmark = pytest.mark.e2e
A, B = "T222", "T333"
CREDENTIALS = {
    "SLACK_CLIENT_ID": OAUTH["client_id"],
    "SLACK_CLIENT_SECRET": OAUTH["client_secret"],
    "SLACK_STATE_SECRET": OAUTH["state_secret"],
}


def many_env(fake: FakeSlack, database_url: str) -> dict[str, str]:
    env = bot_env(fake.base_url, database_url, **CREDENTIALS)
    del env["SLACK_BOT_TOKEN"]
    return env


@pytest.fixture
def server(fake, database_url, tmp_path):
    bot = HttpBot(many_env(fake, database_url), tmp_path / "dibs.log")
    yield bot
    bot.stop()


def stored_bots(database_url: str) -> dict[str, str]:
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            return dict(connection.execute(text("SELECT team_id, bot_token FROM slack_bots")).all())
    finally:
        engine.dispose()


def question(fake: FakeSlack, post: dict):
    [call] = fake.wait_for(
        "chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == post["ts"] and c.status == 200
    )
    return call


def test_two_workspaces_install_talk_each_with_its_token_and_one_uninstalls(server, fake, database_url):
    page = get(f"{server.base}/slack/install")
    assert page.status == 200 and "Add to Slack" in page.body and page.cookie
    for team in (A, B):
        done = install(server.base, fake, team)
        assert done.status == 200 and f"Dibs is installed in Workspace {team}" in done.body
    assert [c.params["client_id"] for c in fake.calls("oauth.v2.access")] == [OAUTH["client_id"]] * 2
    [token_a], [token_b] = fake.tokens_of(A), fake.tokens_of(B)
    assert stored_bots(database_url) == {A: token_a, B: token_b}

    slack = Sender(SECRET, url=server.events_url)
    posts = {}
    for team in (A, B):  # the same channel id in both workspaces
        assert "Watching <#C111>" in slack.command("watch", user="UADMIN", team=team).body
        posts[team] = message_event(BOOTH)
        assert slack.event(posts[team], team=team).status == 200
    assert question(fake, posts[A]).token == token_a
    assert question(fake, posts[B]).token == token_b

    # A's next question is held up by a 429 when A uninstalls Dibs: it is never sent.
    fake.fail_next("chat.postMessage", status=429, retry_after=3, token=token_a)
    held = message_event("Another booth, at the Shelbyville Fair")
    slack.event(held, team=A)
    fake.wait_for("chat.postMessage", predicate=lambda c: c.status == 429)
    assert slack.event({"type": "app_uninstalled"}, team=A).status == 200
    fake.revoke(A)
    uninstalled = time.monotonic()
    wait_until(lambda: A not in stored_bots(database_url), what="A's tokens deleted")
    later = message_event("Gift boxes for the Expo speakers")
    slack.event(later, team=B)
    assert question(fake, later).token == token_b
    time.sleep(3.5)  # past A's Retry-After: the held question would have gone by now
    assert not [c for c in fake.calls() if c.token == token_a and c.at > uninstalled]
    assert "Dibs is not installed in this workspace" in slack.command("list", team=A).body


def test_a_bad_or_expired_state_gets_a_clear_error_page(server, fake, database_url):
    fake.redirect_url = f"{server.base}/slack/oauth_redirect"
    for state in ("forged", "expired"):  # one server for both: each start of `dibs serve` costs seconds
        if state == "forged":
            value = "0f1e2d3c-not-issued-by-dibs.00000000000000000000000000000000"
        else:
            start = get(f"{server.base}/slack/install")
            value = start.cookie.removeprefix("slack-app-oauth-state=")
            engine = create_engine(normalise_url(database_url))
            with engine.begin() as connection:  # ten minutes pass (the store keeps naive UTC times)
                an_hour_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
                connection.execute(text("UPDATE slack_oauth_states SET expire_at = :past"), {"past": an_hour_ago})
            engine.dispose()
        page = get(f"{server.base}/slack/oauth_redirect?code={fake.approve(A)}&state={value}",
                   cookie=f"slack-app-oauth-state={value}")  # fmt: skip
        assert page.status == 401, state
        assert (
            "Dibs was not installed" in page.body
            and "has expired (they last 10 minutes) or was already used" in page.body
        ), state
        assert "Start again" in page.body and not fake.calls("oauth.v2.access"), state
        assert stored_bots(database_url) == {}, state


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True, timeout=60)


def test_app_credentials_that_do_not_add_up_stop_start_up_with_one_sentence(fake, tmp_path):
    env = many_env(fake, f"sqlite:///{tmp_path}/d.db")
    both = run_cli("serve", "--http", env={**env, "SLACK_BOT_TOKEN": "xoxb-test"})
    assert both.returncode == 2 and "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID" in both.stderr
    no_secret = run_cli("serve", "--http", env={k: v for k, v in env.items() if k != "SLACK_STATE_SECRET"})
    assert no_secret.returncode == 2
    assert "SLACK_STATE_SECRET is not set (Dibs serves many workspaces with" in no_secret.stderr
    assert 'see "Many workspaces" in README.md' in no_secret.stderr
    socket = run_cli("serve", "--socket", env=env)
    assert socket.returncode == 2 and "many workspaces need `dibs serve --http`" in socket.stderr
    assert not fake.calls()

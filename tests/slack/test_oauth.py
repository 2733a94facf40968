"""Many workspaces: Slack's OAuth install over real HTTP (the bot in this process, served on loopback),
each workspace answered with its own token, uninstall and reinstall, one workspace's 429s holding up no
other, and a bad or expired state told in words. Both databases."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import Engine, event, insert, select, text

from bot.installs.oauth import BOT_SCOPES, SignedStateStore
from bot.intake.feeds import sync_settings_feeds
from bot.settings import FeedSettings, WorkingHours
from store.models import Feed, OutboxPost, Task, Workspace, utcnow
from tests.conftest import make_dibs, sender_for
from tests.support.fakeslack import FakeSlack
from tests.support.helpers import BOOTH
from tests.support.installs import OAUTH, add_to_slack_link, get, install, serving
from tests.support.payloads import message_event

A, B = "T222", "T333"


@pytest.fixture
def bot(settings):
    # Reminders at any hour: the reinstall test ticks two hours after the real now, whatever time CI runs.
    b = make_dibs(settings.model_copy(update={"working_hours": WorkingHours(always=True)}), bot_token=None, **OAUTH)
    yield b
    b.shutdown()


@pytest.fixture
def site(bot):
    with serving(bot.wsgi()) as base:
        yield base


@pytest.fixture
def slack(bot):
    return sender_for(bot)


def bots_of(bot, team: str) -> list[str]:
    with bot.engine.connect() as connection:
        return list(connection.scalars(text("SELECT bot_token FROM slack_bots WHERE team_id = :t"), {"t": team}))


def question_in(fake: FakeSlack, channel: str, ts: str):
    [call] = [
        c for c in fake.calls("chat.postMessage") if c.params["channel"] == channel and c.params.get("thread_ts") == ts
    ]
    return call


def open_task_in(slack, fake: FakeSlack, team: str, channel: str = "C111") -> dict:
    assert "Watching" in slack.command("watch", user="UADMIN", team=team, channel=channel).body
    post = message_event(BOOTH, channel=channel)
    assert slack.event(post, team=team).status == 200
    return post


def test_the_install_page_sets_a_state_cookie_and_links_to_slacks_authorize_page(site, fake):
    page = get(f"{site}/slack/install")
    assert page.status == 200 and "Add to Slack" in page.body
    state = page.cookie.removeprefix("slack-app-oauth-state=")
    link = add_to_slack_link(page)
    assert link.startswith(fake.base_url.removesuffix("api/") + "oauth/v2/authorize?")  # next to SLACK_API_URL
    assert f"state={state}" in link and "client_id=1111.2222" in link
    assert f"scope={','.join(BOT_SCOPES)}&" in link
    assert "Secure; HttpOnly" in page.headers["set-cookie"]


def test_an_install_exchanges_the_code_at_slack_api_url_and_stores_the_workspaces_bot(bot, site, fake):
    done = install(site, fake, A)
    assert done.status == 200 and "Dibs is installed in Workspace T222" in done.body
    assert "slack-app-oauth-state=deleted" in done.headers["set-cookie"]
    [exchange] = fake.calls("oauth.v2.access")
    assert exchange.params["client_id"] == OAUTH["client_id"]
    assert exchange.params["client_secret"] == OAUTH["client_secret"]
    [token] = fake.tokens_of(A)
    assert bots_of(bot, A) == [token]
    assert [c.token for c in fake.calls("auth.test")] == [token]  # Bolt's check of the new token
    with bot.db() as session:
        assert session.get(Workspace, A).uninstalled_at is None


def test_events_from_two_workspaces_are_answered_each_with_its_own_token(bot, site, slack, fake):
    install(site, fake, A)
    install(site, fake, B)
    posts = {team: open_task_in(slack, fake, team, channel=f"C{team}") for team in (A, B)}
    for team, post in posts.items():
        assert question_in(fake, f"C{team}", post["ts"]).token == fake.tokens_of(team)[0]
    joins = {c.params["channel"]: c.token for c in fake.calls("conversations.join")}
    assert joins == {f"C{A}": fake.tokens_of(A)[0], f"C{B}": fake.tokens_of(B)[0]}
    assert bot.services.installs.lookups == 2  # once per workspace: later requests and calls use memory


def test_a_request_from_a_workspace_without_dibs_is_refused(site, slack, fake):
    install(site, fake, A)
    refused = slack.command("list", team="T999")
    assert refused.status == 200 and "Dibs is not installed in this workspace" in refused.body
    assert slack.event(message_event(BOOTH), team="T999").status == 200
    assert not fake.calls("chat.postMessage") and not fake.calls("response_url")


def test_an_uninstall_deletes_the_tokens_and_calls_off_what_was_pending(bot, site, slack, fake):
    install(site, fake, A)
    install(site, fake, B)
    [token_a], [token_b] = fake.tokens_of(A), fake.tokens_of(B)
    fake.fail_next("chat.postMessage", status=429, retry_after=30, token=token_a)
    post_a = open_task_in(slack, fake, A)  # its question waits out the 429
    assert question_in(fake, "C111", post_a["ts"]).status == 429
    assert slack.event({"type": "app_uninstalled"}, team=A).status == 200
    fake.revoke(A)
    uninstalled_at = time.monotonic()
    assert bots_of(bot, A) == [] and bots_of(bot, B) == [token_b]
    with bot.db() as session:
        assert session.get(Workspace, A).uninstalled_at is not None
        pending = session.scalars(select(OutboxPost).where(OutboxPost.team_id == A, OutboxPost.state == "pending"))
        assert pending.all() == []
        assert session.scalars(select(Task).where(Task.team_id == A)).one().title == BOOTH  # kept for export
    bot.tick(utcnow() + timedelta(hours=5))  # reminders would be due by now
    bot.deliver(utcnow() + timedelta(hours=5))
    post_b = open_task_in(slack, fake, B, channel="C444")
    assert question_in(fake, "C444", post_b["ts"]).token == token_b
    assert not [c for c in fake.calls() if c.token == token_a and c.at > uninstalled_at]


def test_a_reinstall_picks_up_where_it_stopped(bot, site, slack, fake):
    install(site, fake, A)
    open_task_in(slack, fake, A)
    slack.event({"type": "app_uninstalled"}, team=A)
    fake.revoke(A)
    assert install(site, fake, A).status == 200
    old, new = fake.tokens_of(A)
    assert bots_of(bot, A) == [new] and new != old
    with bot.db() as session:
        assert session.get(Workspace, A).uninstalled_at is None
    assert "#1" in slack.command("list", team=A).body  # its task is still there
    later = utcnow() + timedelta(hours=2, minutes=1)
    bot.tick(later)
    bot.deliver(later)
    reminders = [c for c in fake.calls("chat.postMessage") if "Still waiting for someone" in str(c.params.get("text"))]
    assert reminders and {c.token for c in reminders} == {new}


def test_a_429_in_one_workspace_holds_up_no_other_even_on_a_channel_of_the_same_id(bot, site, slack, fake):
    install(site, fake, A)
    install(site, fake, B)
    [token_a], [token_b] = fake.tokens_of(A), fake.tokens_of(B)
    fake.fail_next("chat.postMessage", status=429, retry_after=30, token=token_a)
    post_a = open_task_in(slack, fake, A, channel="C111")
    post_b = open_task_in(slack, fake, B, channel="C111")
    assert question_in(fake, "C111", post_a["ts"]).status == 429
    assert (question_in(fake, "C111", post_b["ts"]).status, question_in(fake, "C111", post_b["ts"]).token) == (
        200,
        token_b,
    )
    assert bot.deliver(utcnow() + timedelta(seconds=31)) >= 1
    answered = [c for c in fake.calls("chat.postMessage") if c.params.get("thread_ts") == post_a["ts"]]
    assert [(c.status, c.token) for c in answered] == [(429, token_a), (200, token_a)]


def test_the_background_courier_keeps_one_workspaces_429_to_itself(bot, site, slack, fake):
    """The same with the courier's own workers (a paused conversation is per workspace)."""
    install(site, fake, A)
    install(site, fake, B)
    [token_a] = fake.tokens_of(A)
    bot.courier.start()
    try:
        fake.fail_next("chat.postMessage", status=429, retry_after=30, token=token_a)
        quiet = sender_for(bot)
        quiet.after = None  # the background courier delivers
        for team in (A, B):
            quiet.command("watch", user="UADMIN", team=team)
        quiet.event(message_event(BOOTH), team=A)
        post_b = message_event(BOOTH)
        quiet.event(post_b, team=B)
        fake.wait_for("chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == post_b["ts"])
    finally:
        bot.courier.stop()


def test_catch_up_reads_each_workspace_in_its_own_thread(bot, site, slack, fake):
    install(site, fake, A)
    install(site, fake, B)
    [token_a], [token_b] = fake.tokens_of(A), fake.tokens_of(B)
    for team in (A, B):
        slack.command("watch", user="UADMIN", team=team, channel=f"C{team}")
    since = time.time()  # after both watches: a catch-up reads only what was posted since a channel was watched
    for team in (A, B):
        fake.add_history(f"C{team}", {"type": "message", "user": "U1", "text": BOOTH, "ts": f"{since + 1:.6f}"})
    fake.fail_next("conversations.history", status=429, retry_after=2, token=token_a)
    assert bot.catch_up() == 2
    history = fake.calls("conversations.history")
    [b_read] = [c for c in history if c.token == token_b]
    a_retry = [c for c in history if c.token == token_a][-1]
    assert b_read.at < a_retry.at  # B was read while A waited out its Retry-After


def sign(nonce: str) -> str:
    return f"{nonce}.{hmac.new(OAUTH['state_secret'].encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]}"


@pytest.mark.parametrize(
    "case, words",
    [
        ("forged", "expired (they last 10 minutes) or was already used"),
        ("expired", "expired (they last 10 minutes) or was already used"),
        ("used", "expired (they last 10 minutes) or was already used"),
        ("other browser", "opened in another browser"),
        ("cancelled", "cancelled in Slack: nothing was installed"),
    ],
)
def test_a_bad_or_expired_state_gets_a_page_that_says_so(bot, site, fake, case, words):
    fake.redirect_url = f"{site}/slack/oauth_redirect"
    start = get(f"{site}/slack/install?team={A}")
    state = start.cookie.removeprefix("slack-app-oauth-state=")
    code = fake.approve(A)
    if case == "forged":
        state = sign("not-a-state-dibs-issued")[:-1] + "0"
    elif case == "expired":
        state = sign("issued-long-ago")
        with bot.engine.begin() as connection:
            table = SignedStateStore(OAUTH["state_secret"], 600, bot.engine).oauth_states
            connection.execute(insert(table).values(state="issued-long-ago", expire_at=utcnow().replace(tzinfo=None)))
    elif case == "used":
        assert get(f"{site}/slack/oauth_redirect?code={code}&state={state}", f"slack-app-oauth-state={state}").status
        code = fake.approve(A)
    cookie = "" if case == "other browser" else f"slack-app-oauth-state={state}"
    query = "error=access_denied" if case == "cancelled" else f"code={code}&state={state}"
    page = get(f"{site}/slack/oauth_redirect?{query}", cookie)
    assert page.status in ((200,) if case == "cancelled" else (400, 401))
    assert "Dibs was not installed" in page.body and words in page.body
    assert 'href="/slack/install"' in page.body
    if case != "used":
        assert bots_of(bot, A) == []
        assert not fake.calls("oauth.v2.access")


def test_nothing_creates_tables_when_dibs_serves(settings, fake):
    """The stores' tables come from Alembic: no CREATE statement runs while Dibs starts and installs."""
    make_dibs(settings).shutdown()  # migrated, as `dibs migrate` leaves it
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        bot = make_dibs(settings, bot_token=None, **OAUTH)
        try:
            with serving(bot.wsgi()) as base:
                assert install(base, fake, A).status == 200
            sender_for(bot).command("watch", team=A)
        finally:
            bot.shutdown()
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert any("slack_bots" in s for s in statements)
    assert not [s for s in statements if s.lstrip().upper().startswith(("CREATE", "ALTER", "DROP"))]


def test_the_webhook_names_an_installed_workspace_and_posts_with_its_token(settings, fake):
    bot = make_dibs(settings, bot_token=None, intake_token="intake-secret", **OAUTH)
    try:
        with serving(bot.wsgi()) as base:
            install(base, fake, A)

            def call(**fields: str) -> tuple[int, dict]:
                body = json.dumps({"kind": "event", "title": "Booth", "channel": "C0123ABCD", **fields}).encode()
                request = urllib.request.Request(f"{base}/intake", data=body, method="POST", headers={
                    "Authorization": "Bearer intake-secret", "Content-Type": "application/json"})  # fmt: skip
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        return answer.status, json.loads(answer.read())
                except urllib.error.HTTPError as error:
                    return error.code, json.loads(error.read())

            assert call() == (
                400,
                {"error": "team: required, since Dibs serves many workspaces; name one like T0123ABCD"},
            )
            assert call(team=B) == (400, {"error": "team: Dibs is not installed in T333"})
            status, answer = call(team=A)
            assert status == 201 and answer["id"] == 1
        bot.deliver(linger=timedelta(0))
        posted = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "C0123ABCD"]
        assert len(posted) == 2  # the announcement, then the question in its thread
        assert {c.token for c in posted} == {fake.tokens_of(A)[0]}
    finally:
        bot.shutdown()


def test_feeds_in_the_settings_file_go_to_the_workspace_they_name(bot):
    feed = FeedSettings(url="https://blog.example.com/comments/feed/", channel="C0123ABCD", team=A)
    other = feed.model_copy(update={"url": "https://news.example.com/comments/feed/", "team": B})
    sync_settings_feeds(bot.services, None, (feed, other))
    with bot.db() as session:
        assert sorted(session.execute(select(Feed.team_id, Feed.url)).all()) == [(A, feed.url), (B, other.url)]
    sync_settings_feeds(bot.services, None, (feed,))  # B's entry left the file
    with bot.db() as session:
        assert session.execute(select(Feed.team_id, Feed.url)).all() == [(A, feed.url)]

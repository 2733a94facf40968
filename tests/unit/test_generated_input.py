"""Generated bad input (hypothesis): whatever arrives gets a clear answer or a logged refusal,
never an unexpected exception, a 500 or a traceback."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.gifts.recipients import RecipientsError, read_recipients
from bot.intake.feeds import FeedError, read_items
from bot.settings import Settings, SettingsError, settings_from_yaml
from bot.slack.command_parser import SUBCOMMANDS, parse_command
from bot.slack.commands import UsageError
from bot.slack.payloads import payload_problem
from bot.web import shape_problem
from tests.conftest import SECRET, make_dibs, sender_for
from tests.support.fakeslack import FakeSlack
from tests.support.feedserver import rss
from tests.support.payloads import event_envelope, signed_headers

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@FAST
@given(st.lists(st.sampled_from(SUBCOMMANDS) | words | st.sampled_from(["#12", "12", "<@U1|a>", "2d", "none"]),
                max_size=5))  # fmt: skip
def test_any_command_text_parses_or_says_what_is_wrong(parts):
    try:
        parse_command(" ".join(parts))
    except UsageError as error:
        assert str(error)


KEYS = ["timezone", "working_hours", "nag", "digest", "reactions", "kinds", "feeds", "retry_every", "admins", "x"]


@FAST
@given(st.dictionaries(st.sampled_from(KEYS), json_values, max_size=4))
def test_any_settings_file_loads_or_names_the_bad_key(data):
    try:
        settings_from_yaml(data, Settings())
    except SettingsError as error:
        assert str(error)


@FAST
@given(json_values)
def test_any_payload_is_judged_without_an_exception(value):
    if isinstance(value, dict):
        assert payload_problem(value) is None or isinstance(payload_problem(value), str)
    for body, content_type in ((json.dumps(value), "application/json"), (f"payload={value}", "x-www-form-urlencoded")):
        assert shape_problem(body, content_type) is None or isinstance(shape_problem(body, content_type), str)


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("generated")
    with FakeSlack() as fake:
        base = Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.base_url)
        dibs = make_dibs(base, database_url=f"sqlite:///{folder / 'dibs.db'}")
        sender_for(dibs).command("watch")
        yield dibs
        dibs.shutdown()


events = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "reaction_added", "reaction_removed", "app_home_opened", "channel_archive"])},
    optional={
        "user": st.none() | st.text(max_size=40) | st.integers(),
        "channel": st.sampled_from(["C111", "G1"]) | st.text(max_size=40),
        "text": st.none() | st.text(max_size=200) | st.integers(),
        "ts": st.text(max_size=20) | st.sampled_from(["1700000000.000100"]),
        "subtype": st.sampled_from(["message_deleted", "message_changed", "bot_message", "channel_join"]),
        "item": json_values,
        "reaction": st.sampled_from(["raising_hand", "white_check_mark", "x"]),
        "message": json_values,
        "deleted_ts": st.text(max_size=20),
        "tab": st.text(max_size=5),
    },
)


def through_the_gate(bot, body: str) -> str:
    """POST a signed body to the bot's WSGI application (the gate, then Bolt), as waitress would."""
    headers = signed_headers(body, SECRET, content_type="application/json")
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body.encode()),
        "CONTENT_LENGTH": str(len(body.encode())),
        "CONTENT_TYPE": "application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "content-type"},
    }
    seen: dict[str, str] = {}
    bot.wsgi()(environ, lambda status, _headers: seen.setdefault("status", status))
    return seen["status"]


@FAST
@given(events)
def test_any_event_is_answered_never_with_a_500(bot, caplog, event):
    with caplog.at_level(logging.ERROR):
        status = through_the_gate(bot, json.dumps(event_envelope(event)))
    assert status.startswith(("200", "400")), (status, event)
    assert "unhandled error" not in caplog.text, event


@FAST
@given(st.text(max_size=400) | st.lists(st.lists(st.text(max_size=15), max_size=5), max_size=8).map(
    lambda rows: "\n".join(",".join(row) for row in [["name", "email", "owner"], *rows])))  # fmt: skip
def test_any_csv_reads_as_recipients_or_says_what_to_fix(text):
    try:
        found = read_recipients(text)
    except RecipientsError as error:
        assert str(error)
    else:
        assert found and all(r.name and len(r.name) <= 200 for r in found)
        assert len({r.key for r in found}) == len(found)


feed_like = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.lists(st.tuples(st.text(max_size=20), st.text(max_size=20), st.text(max_size=60)), max_size=4).map(
        lambda items: rss(*items)
    ),
)


@FAST
@given(feed_like)
def test_any_feed_body_reads_as_items_or_a_clear_error(body):
    try:
        items = read_items(body)
    except FeedError as error:
        assert str(error)
    else:
        assert all(item.key and len(item.key) <= 250 for item in items)

"""The log's formats (text and JSON), the ids a line carries, and what never reaches a line: tokens and secrets.
And the metrics' labels: names, never ids."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot import logs, metrics


def record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("bot.test", logging.WARNING, __file__, 1, message, args, exc_info)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "token",
    ["xoxb-1234-5678-abcdEFGH", "xoxp-1-2-3-abc", "xapp-1-A0123-456-ff00", "xoxe.xoxp-1-Mi0yLTEy", "xoxa-2-abc",
     "xoxr-abc-def"],
)  # fmt: skip
def test_slack_tokens_are_masked_wherever_they_appear(token):
    assert logs.redact(f"calling with {token}, then more") == "calling with [redacted], then more"
    assert token not in logs.redact(f"url?token={token}&x=1")


def test_secrets_are_masked_once_known_and_short_values_are_not_secrets():
    logs.add_secrets("s3cr3t-signing-value-0001", None, "", "abc")
    assert logs.redact("signed with s3cr3t-signing-value-0001.") == "signed with [redacted]."
    assert logs.redact("abc stays") == "abc stays"  # too short to be a secret: masking it would garble the log


def test_a_json_line_has_the_fields_and_the_context_and_no_secret():
    formatter = logs.JsonFormatter()
    filtered = logs.ContextFilter()
    with logs.log_context(team_id="T111", event_id="Ev123", task_id=7, trigger_id=None):
        line = record("sent %s with xoxb-99-secret", "chat.postMessage")
        filtered.filter(line)
    assert logs.current_context() == {}
    parsed = json.loads(formatter.format(line))
    assert parsed["level"] == "WARNING" and parsed["logger"] == "bot.test"
    assert parsed["message"] == "sent chat.postMessage with [redacted]"
    assert (parsed["team_id"], parsed["event_id"], parsed["task_id"]) == ("T111", "Ev123", "7")
    assert "trigger_id" not in parsed and parsed["time"].endswith("+00:00")


def test_a_traceback_is_one_json_line_and_masked_too():
    try:
        raise ValueError("the token was xoxb-1-2-3")
    except ValueError:
        line = record("failed", exc_info=sys.exc_info())
    text = logs.JsonFormatter().format(line)
    assert "\n" not in text and "xoxb-1-2-3" not in text
    assert "ValueError" in json.loads(text)["exception"]


def test_text_stays_the_default_format_and_is_masked():
    assert logs.log_format(None) == logs.log_format("") == "text" and logs.log_format(" JSON ") == "json"
    with pytest.raises(logs.LogFormatError, match="text or json"):
        logs.log_format("yaml")
    line = logs.TextFormatter().format(record("token %s", "xoxb-1-2"))
    assert line.endswith("WARNING bot.test: token [redacted]")


def test_configure_sets_the_format_of_the_given_handlers():
    handler = logging.StreamHandler()
    logs.configure("json", [handler])
    assert isinstance(handler.formatter, logs.JsonFormatter)
    logs.configure("json", [handler])
    assert sum(isinstance(f, logs.ContextFilter) for f in handler.filters) == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"type": "event_callback", "event": {"type": "message", "channel": "C0123ABCDEF"}}, ("message", "event")),
        ({"command": "/dibs", "text": "claim 1", "user_id": "U0123ABCDEF"}, ("slash_command", "command")),
        ({"type": "block_actions", "user": {"id": "U0123ABCDEF"}}, ("block_actions", "action")),
        ({"type": "view_submission"}, ("view_submission", "view")),
        ({"type": "event_callback", "event": {"type": "U0123ABCDEFG"}}, ("other", "event")),
        ({"type": "Something Else"}, ("other", "other")),
    ],
)
def test_request_labels_are_names_never_ids_or_text(body, expected):
    assert metrics.request_type(body) == expected


def test_a_label_value_that_is_not_a_name_becomes_other():
    assert metrics.word("trade_show") == "trade_show"
    assert metrics.word("T0123ABCD") == metrics.word("Booth at the expo") == metrics.word(None) == "other"


def test_a_start_up_failure_is_a_json_line_too(monkeypatch, capsys):
    logs.say("dibs: Slack rejected xoxb-1-2 (invalid_auth)")
    assert capsys.readouterr().err == "dibs: Slack rejected [redacted] (invalid_auth)\n"
    monkeypatch.setattr(logs, "_chosen", ["json"])
    logs.say("dibs: cannot open the database at DATABASE_URL: OperationalError")
    line = json.loads(capsys.readouterr().err)
    assert line["level"] == "ERROR" and line["message"].startswith("dibs: cannot open the database")

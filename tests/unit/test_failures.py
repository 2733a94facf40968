"""What a failed Web API call means for the courier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError, SlackObjectFormationError, SlackRequestError
from slack_sdk.web.slack_response import SlackResponse

from bot.delivery.failures import backoff, failure_of


def api_error(status: int, body: dict, headers: dict | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None, http_verb="POST", api_url="u", req_args={}, data=body, headers=headers or {}, status_code=status
    )
    return SlackApiError("failed", response)


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived", "not_in_channel", "token_revoked", "no_text"])
def test_answers_that_never_change_are_permanent(error):
    failure = failure_of(api_error(200, {"ok": False, "error": error}))
    assert failure.permanent and failure.error == error and failure.retry_after is None


def test_a_429_says_when_to_try_again():
    failure = failure_of(api_error(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "10"}))
    assert not failure.permanent and failure.retry_after == timedelta(seconds=10)


@pytest.mark.parametrize("status, error", [(500, "internal_error"), (503, "service_unavailable"), (200, "fatal_error")])
def test_server_trouble_is_temporary(status, error):
    assert not failure_of(api_error(status, {"ok": False, "error": error})).permanent


def test_a_lost_connection_is_temporary():
    assert not failure_of(SlackRequestError("connection reset")).permanent
    assert not failure_of(TimeoutError("timed out")).permanent


def test_the_back_off_grows_to_half_a_minute():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [2, 4, 8, 30, 30, 30]


def test_a_revoked_token_means_the_workspace_is_gone():
    assert failure_of(api_error(200, {"ok": False, "error": "token_revoked"})).workspace_gone


def test_a_message_block_kit_refuses_is_given_up_not_retried():
    failure = failure_of(SlackObjectFormationError("text attribute cannot exceed 3000 characters"))
    assert failure.permanent and "3000" in failure.error

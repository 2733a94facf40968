"""Slack requests as Slack sends them (shapes from ../shared/slack/payloads/), signed over raw bytes."""

from __future__ import annotations

import itertools
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

TEAM = "T111"
CHANNEL = "C111"
POSTER = "U111"
_ids = itertools.count(1)
_ts = itertools.count(1)


def new_ts() -> str:
    """A fresh message ts, like Slack's."""
    return f"1596183{next(_ts):03d}.{next(_ts):06d}"


def new_trigger() -> str:
    """A fresh trigger id: every request Slack sends for a person's action has its own."""
    return f"{next(_ids)}.{next(_ids)}.{next(_ids):x}"


def signed_headers(body: str, secret: str, timestamp: int | None = None, content_type: str = "") -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature,
    }


def event_envelope(event: dict[str, Any], event_id: str | None = None, team: str = TEAM) -> dict[str, Any]:
    return {
        "token": "verification_token",
        "team_id": team,
        "api_app_id": "A111",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):06d}",
        "event_time": int(time.time()),
        "authorizations": [
            {"enterprise_id": None, "team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }


def message_event(text: str, user: str = POSTER, channel: str = CHANNEL, ts: str | None = None, **extra: Any) -> dict:
    ts = ts or new_ts()
    event = {
        "client_msg_id": f"m-{ts}",
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    }
    event.update(extra)
    return event


def reaction_event(kind: str, user: str, ts: str, reaction: str = "raising_hand", channel: str = CHANNEL) -> dict:
    return {
        "type": kind,
        "user": user,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "reaction": reaction,
        "item_user": POSTER,
        "event_ts": new_ts(),
    }


def members_changed(group: str, added: list[str] = [], removed: list[str] = [], team: str = TEAM) -> dict:  # noqa: B006
    """`subteam_members_changed`: people joined or left a user group."""
    return {"type": "subteam_members_changed", "subteam_id": group, "team_id": team, "date_previous_update": 1,
            "date_update": 2, "added_users": added, "added_users_count": str(len(added)),
            "removed_users": removed, "removed_users_count": str(len(removed)), "event_ts": new_ts()}  # fmt: skip


def group_updated(group: str, users: list[str], team: str = TEAM) -> dict:
    """`subteam_updated`: a user group changed, with all its members."""
    return {"type": "subteam_updated", "event_ts": new_ts(), "subteam": {
        "id": group, "team_id": team, "is_usergroup": True, "name": "Sales", "handle": "sales",
        "users": users, "user_count": len(users), "date_update": 2}}  # fmt: skip


def command_form(
    text: str, user: str = "U222", channel: str = CHANNEL, response_url: str = "", team: str = TEAM
) -> str:
    return urllib.parse.urlencode(
        {
            "token": "verification_token",
            "team_id": team,
            "team_domain": "test-domain",
            "channel_id": channel,
            "channel_name": "marketing",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/dibs",
            "text": text,
            "api_app_id": "A111",
            "response_url": response_url or "https://hooks.slack.com/commands/T111/111/xxxxx",
            "trigger_id": new_trigger(),
        }
    )


def block_action(
    action_id: str,
    value: str,
    user: str,
    message_ts: str,
    thread_ts: str,
    response_url: str = "",
    team: str = TEAM,
    channel: str = CHANNEL,
) -> dict:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": "A111",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
            "thread_ts": thread_ts,
        },
        "trigger_id": new_trigger(),
        "team": {"id": team, "domain": "test-domain"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "marketing"},
        "message": {
            "bot_id": "BBOT",
            "type": "message",
            "text": "Who owns this follow-up?",
            "user": "UBOT",
            "ts": message_ts,
            "thread_ts": thread_ts,
            "app_id": "A111",
            "blocks": [],
            "team": team,
        },
        "state": {"values": {}},
        "response_url": response_url or "https://hooks.slack.com/actions/T111/111/xxxxx",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "8KR",
                "text": {"type": "plain_text", "text": "x"},
                "value": value,
                "type": "button",
                "action_ts": new_ts(),
            }
        ],
    }


def view_submission(callback_id: str, private_metadata: str, values: dict, user: str, team: str = TEAM) -> dict:
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "test-domain"},
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": "A111",
        "trigger_id": new_trigger(),
        "view": {
            "id": "V111",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "hash": "1",
            "team_id": team,
            "app_id": "A111",
        },
    }


def interactive_body(payload: dict) -> str:
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Sender:
    """Sends signed requests to a Bolt app, in-process (`app`) or over HTTP (`url`).

    In-process, `after` runs once each request is answered: tests pass the bot's `deliver`, so the
    Slack calls the request queued are made before the test looks at the fake Slack.
    """

    def __init__(
        self, secret: str, app: App | None = None, url: str | None = None, after: Callable[[], object] | None = None
    ) -> None:
        self.secret, self.app, self.url, self.after = secret, app, url, after

    def raw(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> Reply:
        all_headers = signed_headers(body, secret or self.secret, timestamp, content_type)
        all_headers.update(headers or {})
        if self.app is not None:
            response = self.app.dispatch(BoltRequest(body=body, headers={k: [v] for k, v in all_headers.items()}))
            if self.after is not None:
                self.after()
            return Reply(response.status, response.body)
        assert self.url is not None
        request = urllib.request.Request(self.url, data=body.encode(), headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return Reply(answer.status, answer.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def event(
        self, event: dict, event_id: str | None = None, headers: dict[str, str] | None = None, team: str = TEAM
    ) -> Reply:
        return self.raw(json.dumps(event_envelope(event, event_id, team)), "application/json", headers)

    def command(
        self, text: str, user: str = "U222", channel: str = CHANNEL, response_url: str = "", team: str = TEAM
    ) -> Reply:
        return self.raw(command_form(text, user, channel, response_url, team), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict) -> Reply:
        return self.raw(interactive_body(payload), "application/x-www-form-urlencoded")


def message_shortcut(
    message: dict, user: str = "U222", channel: str = CHANNEL, channel_name: str = "marketing"
) -> dict:
    """A message shortcut ("Track with Dibs") used on `message`, as Slack sends it."""
    return {
        "type": "message_action",
        "token": "verification_token",
        "action_ts": new_ts(),
        "team": {"id": TEAM, "domain": "test-domain"},
        "user": {"id": user, "name": user.lower()},
        "channel": {"id": channel, "name": channel_name},
        "callback_id": "dibs_track",
        "trigger_id": new_trigger(),
        "message_ts": message["ts"],
        "message": {k: v for k, v in message.items() if k not in ("channel", "channel_type", "event_ts")},
        "response_url": "https://hooks.slack.com/app/T111/111/xxx",
    }


def overflow_choice(value: str, user: str, message_ts: str) -> dict:
    """A choice in an overflow menu (the Delivered / Missed next to a gift recipient)."""
    payload = block_action("dibs_gift", "", user, message_ts, message_ts)
    payload["actions"] = [
        {"action_id": "dibs_gift", "block_id": "b1", "type": "overflow", "action_ts": new_ts(),
         "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value}}
    ]  # fmt: skip
    return payload

"""What the visitor does, sent to the bot as Slack sends it: signed Events API envelopes, slash-command
forms and interactivity payloads, over HTTP to the bot's own POST /slack/events.

The visitor's own posts and reactions go into the record first (Slack shows them before any app
hears of them); what Dibs does about them reaches the page through the Web API stand-in.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bot.demo.world import APP_ID, BOT_USER, CHANNELS, PEOPLE, TEAM

_URL = re.compile(r"https?://[^\s<>]+")
_MENTION = re.compile(r"@(\w+)")
_CHANNEL = re.compile(r"#([a-z0-9_-]+)")


def slack_text(typed: str, command: bool = False) -> str:
    """Text as Slack's client sends it: `&`, `<`, `>` escaped; @Name, #channel and links in Slack's markup
    (slash commands with should_escape get `<@U…|name>`, as the manifest asks)."""
    text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _URL.sub(lambda m: f"<{m.group(0)}>", text)

    def person(match: re.Match[str]) -> str:
        found = next((p for p in PEOPLE if p.name.lower() == match.group(1).lower()), None)
        if found is None:
            return match.group(0)
        return f"<@{found.id}|{found.name.lower()}>" if command else f"<@{found.id}>"

    def channel(match: re.Match[str]) -> str:
        found = next((cid for cid, name in CHANNELS.items() if name == match.group(1)), None)
        return f"<#{found}|{match.group(1)}>" if found else match.group(0)

    return _CHANNEL.sub(channel, _MENTION.sub(person, text))


def new_id(prefix: str) -> str:
    """A fresh id of Slack's shape (event ids, trigger ids, file ids)."""
    return prefix + uuid.uuid4().hex[:12].upper()


class Bot:
    """The bot's request URL and signing secret: each request is signed over its raw body, as Slack does."""

    def __init__(self, events_url: str, signing_secret: str) -> None:
        self.events_url = events_url
        self.verifier = SignatureVerifier(signing_secret)

    def send(self, body: str, content_type: str) -> tuple[int, str]:
        """POST a signed body; the bot's status and answer."""
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=stamp, body=body) or "",
        }
        request = urllib.request.Request(self.events_url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def event(self, event: dict[str, Any]) -> tuple[int, str]:
        """An Events API envelope around `event`."""
        envelope = {
            "token": "demo",
            "team_id": TEAM,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": new_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM,
                    "user_id": BOT_USER,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        return self.send(json.dumps(envelope), "application/json")

    def command(self, user: str, channel: str, text: str, response_url: str, trigger_id: str) -> tuple[int, str]:
        """A `/dibs` slash command form."""
        form = {
            "token": "demo",
            "team_id": TEAM,
            "team_domain": "dibs-demo",
            "channel_id": channel,
            "channel_name": CHANNELS.get(channel, "directmessage"),
            "user_id": user,
            "user_name": user.lower(),
            "command": "/dibs",
            "text": text,
            "api_app_id": APP_ID,
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        return self.send(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict[str, Any]) -> tuple[int, str]:
        """An interactivity payload (a click, a modal submitted, a message shortcut)."""
        base = {
            "team": {"id": TEAM, "domain": "dibs-demo"},
            "api_app_id": APP_ID,
            "token": "demo",
            "is_enterprise_install": False,
            "enterprise": None,
        }
        body = urllib.parse.urlencode({"payload": json.dumps({**base, **payload})})
        return self.send(body, "application/x-www-form-urlencoded")


def message_event(user: str, channel: str, text: str, ts: str, thread_ts: str | None) -> dict[str, Any]:
    """A person's post (message.channels), as Slack sends it."""
    event = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def reaction_event(added: bool, user: str, channel: str, ts: str, name: str, author: str) -> dict[str, Any]:
    """reaction_added / reaction_removed on a message."""
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": author,
        "event_ts": f"{time.time():.6f}",
    }


def block_action(user: str, container: dict[str, Any], action: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A click on a button or a choice in a menu (block_actions)."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "container": container,
        "trigger_id": extra.pop("trigger_id"),
        "actions": [action],
        "state": {"values": {}},
        **extra,
    }

"""A stand-in for Slack's Web API: answers every call Dibs makes as Slack would, and records it.

What Dibs posts, updates, publishes and opens goes into the `Record`, which is all the page shows.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from bot.demo.record import Message, Record, ts_key
from bot.demo.world import BOT_ID, BOT_TOKEN, BOT_USER, CHANNELS, PEOPLE, TEAM, TEAM_NAME, WORKSPACE_URL, dm_channel
from bot.slack.scopes import BOT_SCOPES

Answer = dict[str, Any]
JSON_FIELDS = ("blocks", "view", "metadata")


def parse_params(body: bytes, content_type: str, query: str = "") -> dict[str, Any]:
    """A Web API call's arguments, from a form or a JSON body (slack_sdk sends both)."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if content_type.startswith("application/json"):
        loaded = json.loads(body or b"{}")
        params.update(loaded if isinstance(loaded, dict) else {})
    else:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                params[key] = None
    return params


def _summary(method: str, params: dict[str, Any], answer: Answer) -> dict[str, Any]:
    where = params.get("channel") or params.get("user_id") or params.get("user") or ""
    text = str(params.get("text") or (params.get("view") or {}).get("type") or "")
    return {
        "method": method,
        "where": str(where),
        "text": text[:140],
        "ok": bool(answer.get("ok")),
        "error": answer.get("error"),
    }


class StandIn:
    """The Web API at `/api/<method>`: Slack's answers, from and into the record."""

    def __init__(self, record: Record, now: Callable[[], datetime], files_url: str = "") -> None:
        self.record = record
        self.now = now
        self.files_url = files_url  # where a shared file's private URL points (the page serves it)
        self.triggers: dict[str, str] = {}  # trigger_id -> the person whose action made it
        self.handlers: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post,
            "chat.update": self._update,
            "chat.postEphemeral": self._ephemeral,
            "chat.getPermalink": self._permalink,
            "views.publish": self._publish,
            "views.open": self._open,
            "conversations.join": self._join,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.info": self._info,
            "reactions.get": self._reactions,
            "files.info": self._file_info,
            "usergroups.users.list": lambda p: {"ok": True, "users": []},
            "users.info": self._user,
            "users.conversations": lambda p: {"ok": True, "channels": [{"id": c} for c in CHANNELS]},
            "conversations.open": lambda p: {"ok": True, "channel": {"id": dm_channel(str(p.get("users") or ""))}},
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._share_upload,
        }
        self.uploads: dict[str, dict[str, Any]] = {}  # files_upload_v2's files, until they are shared
        self._upload_ids = itertools.count(1)

    @property
    def scopes_header(self) -> str:
        """What Slack sends as `x-oauth-scopes`: every scope the manifest asks for."""
        return ",".join(sorted(BOT_SCOPES))

    def call(self, method: str, params: dict[str, Any], token: str | None) -> Answer:
        """Answer one Web API call and record it."""
        handler = self.handlers.get(method)
        with self.record.changed:
            if token != BOT_TOKEN:
                answer: Answer = {"ok": False, "error": "invalid_auth"}
            elif handler is None:
                answer = {"ok": False, "error": "unknown_method"}
            else:
                answer = handler(params)
            self.record.calls.append({**_summary(method, params, answer), "at": self.now().isoformat()})
            self.record.touch()
        return answer

    def _user(self, p: dict[str, Any]) -> Answer:
        user = str(p.get("user") or "")
        person = next((person for person in PEOPLE if person.id == user), None)
        if person is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"id": user, "name": person.name, "profile": {"status_emoji": ""}}}

    def _upload_url(self, p: dict[str, Any]) -> Answer:
        file_id = f"F{len(self.uploads) + len(self.record.files) + 1:08d}"
        self.uploads[file_id] = {"name": str(p.get("filename") or "file"), "size": int(p.get("length") or 0)}
        return {
            "ok": True,
            "file_id": file_id,
            "upload_url": f"{self.files_url.replace('/files/', '/upload/')}{file_id}",
        }

    def receive_upload(self, file_id: str, content: bytes) -> bool:
        """The bytes posted to an upload URL (the page only lists the file: its name and size)."""
        with self.record.changed:
            upload = self.uploads.get(file_id)
            if upload is not None:
                upload["size"] = len(content)
            return upload is not None

    def _share_upload(self, p: dict[str, Any]) -> Answer:
        entries = p.get("files")
        entries = json.loads(entries) if isinstance(entries, str) else entries or []
        channel = self._conversation(str(p.get("channel_id") or ""))
        if channel is None:
            return {"ok": False, "error": "not_in_channel"}
        shared = []
        for entry in entries:
            upload = self.uploads.pop(str(entry.get("id")), None)
            if upload is None:
                return {"ok": False, "error": "file_not_found"}
            shared.append({"id": entry["id"], "name": upload["name"], "title": entry.get("title") or upload["name"],
                           "size": upload["size"]})  # fmt: skip
        text = str(p.get("initial_comment") or "")
        message = Message(ts=self.record.next_ts(self.now()), channel=channel, user=BOT_USER, text=text, files=shared)
        self.record.messages.append(message)
        return {"ok": True, "files": shared}

    def _auth_test(self, _: dict[str, Any]) -> Answer:
        return {
            "ok": True,
            "url": WORKSPACE_URL,
            "team": TEAM_NAME,
            "user": "dibs",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _conversation(self, channel: str) -> str | None:
        """The channel a post goes to (a user id means their DM with Dibs), or None if Dibs may not post."""
        if channel in CHANNELS:
            return channel if channel in self.record.members else None
        if any(p.id == channel for p in PEOPLE):
            return dm_channel(channel)
        return channel if channel.startswith("D") else None

    def _post(self, p: dict[str, Any]) -> Answer:
        channel = self._conversation(str(p.get("channel") or ""))
        if channel is None:
            known = p.get("channel") in CHANNELS or p.get("channel", "").startswith("D")
            return {"ok": False, "error": "not_in_channel" if known else "channel_not_found"}
        message = Message(
            ts=self.record.next_ts(self.now()),
            channel=channel,
            user=BOT_USER,
            text=str(p.get("text") or ""),
            blocks=list(p.get("blocks") or []),
            thread_ts=p.get("thread_ts") or None,
            metadata=p.get("metadata"),
        )
        self.record.messages.append(message)
        shown = {**message.as_slack(), "bot_id": BOT_ID}
        return {"ok": True, "channel": channel, "ts": message.ts, "message": shown}

    def _update(self, p: dict[str, Any]) -> Answer:
        message = self.record.find(str(p.get("channel")), str(p.get("ts")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.text, message.blocks = str(p.get("text") or ""), list(p.get("blocks") or [])
        return {"ok": True, "channel": message.channel, "ts": message.ts, "text": message.text}

    def _ephemeral(self, p: dict[str, Any]) -> Answer:
        channel = self._conversation(str(p.get("channel") or ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        self.note(
            channel,
            str(p.get("user")),
            str(p.get("text") or ""),
            list(p.get("blocks") or []),
            p.get("thread_ts") or None,
        )
        return {"ok": True, "message_ts": self.record.last_ts}

    def note(
        self, channel: str, user: str, text: str, blocks: list[Any], thread_ts: str | None, command: str | None = None
    ) -> None:
        """A private note (an ephemeral message) to `user`. Call with the record's lock held."""
        ts = self.record.next_ts(self.now())
        self.record.messages.append(
            Message(
                ts=ts,
                channel=channel,
                user=BOT_USER,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                visible_to=user,
                command=command,
            )
        )

    def _permalink(self, p: dict[str, Any]) -> Answer:
        ts = str(p.get("message_ts") or "")
        return {"ok": True, "permalink": f"{WORKSPACE_URL}archives/{p.get('channel')}/p{ts.replace('.', '')}"}

    def _publish(self, p: dict[str, Any]) -> Answer:
        view = dict(p.get("view") or {})
        self.record.homes[str(p.get("user_id"))] = view
        return {"ok": True, "view": {**view, "id": f"VHOME{p.get('user_id')}"}}

    def _open(self, p: dict[str, Any]) -> Answer:
        user = self.triggers.pop(str(p.get("trigger_id")), None)
        if user is None:
            return {"ok": False, "error": "expired_trigger_id"}
        view = {**dict(p.get("view") or {}), "id": f"V{self.record.next_ts(self.now()).replace('.', '')}"}
        self.record.modals[user] = view
        return {"ok": True, "view": view}

    def _join(self, p: dict[str, Any]) -> Answer:
        channel = str(p.get("channel"))
        if channel not in CHANNELS:
            return {"ok": False, "error": "channel_not_found"}
        if channel not in self.record.members:
            self.record.members.add(channel)
            self.record.messages.append(
                Message(
                    ts=self.record.next_ts(self.now()),
                    channel=channel,
                    user=BOT_USER,
                    text="joined the channel",
                    subtype="channel_join",
                )
            )
        return {"ok": True, "channel": {"id": channel, "name": CHANNELS[channel], "is_member": True}}

    def _visible(self, channel: str) -> list[Message]:
        return [m for m in self.record.messages if m.channel == channel and m.visible_to is None]

    def _history(self, p: dict[str, Any]) -> Answer:
        oldest = ts_key(str(p.get("oldest") or "0"))
        found = [m for m in self._visible(str(p.get("channel"))) if m.thread_ts in (None, m.ts)]
        found = sorted((m for m in found if ts_key(m.ts) > oldest), key=lambda m: ts_key(m.ts), reverse=True)
        start, limit = int(p.get("cursor") or 0), int(p.get("limit") or 100)
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": [copy.deepcopy(m.as_slack()) for m in found[start : start + limit]],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _replies(self, p: dict[str, Any]) -> Answer:
        ts = str(p.get("ts"))
        thread = [m for m in self._visible(str(p.get("channel"))) if ts in (m.ts, m.thread_ts)]
        thread.sort(key=lambda m: ts_key(m.ts))
        return {"ok": True, "messages": [copy.deepcopy(m.as_slack()) for m in thread], "has_more": False}

    def _info(self, p: dict[str, Any]) -> Answer:
        channel = str(p.get("channel"))
        if channel not in CHANNELS:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": CHANNELS[channel],
                "is_channel": True,
                "is_private": False,
                "is_member": channel in self.record.members,
            },
        }

    def _reactions(self, p: dict[str, Any]) -> Answer:
        message = self.record.find(str(p.get("channel")), str(p.get("timestamp")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        reactions = [{"name": n, "users": list(u), "count": len(u)} for n, u in message.reactions.items() if u]
        return {
            "ok": True,
            "type": "message",
            "channel": message.channel,
            "message": {**message.as_slack(), "reactions": reactions},
        }

    def _file_info(self, p: dict[str, Any]) -> Answer:
        file_id = str(p.get("file"))
        file = self.record.files.get(file_id)
        if file is None:
            return {"ok": False, "error": "file_not_found"}
        url = f"{self.files_url}{file_id}/{file['name']}"
        return {
            "ok": True,
            "file": {
                "id": file_id,
                "name": file["name"],
                "filetype": file["name"].rsplit(".")[-1],
                "size": len(file["content"]),
                "url_private": url,
                "url_private_download": url,
            },
        }

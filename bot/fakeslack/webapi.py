"""Slack's Web API as Dibs calls it, answered from and into a `Workspace`: one implementation for `dibs demo`'s
stand-in and the tests' fake (tests/support/fakeslack.py), each serving it over HTTP its own way.

A workspace is closed (a `Directory` lists every channel and person; the demo) or open (the tests: any channel,
person or message the fake is asked about exists, though it knows nothing of it). Callers hold their own lock
around `call`, `post` and the rest.
"""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.fakeslack.people import Answer, Bot, Handler, Params, People, error
from bot.fakeslack.workspace import Directory, Message, Workspace, dm_channel, ts_key

NO_TOKEN = frozenset({"oauth.v2.access"})  # answered for an app's credentials, not a bot's token


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def workspace_identity(team_id: str, name: str) -> Bot:
    """What ``auth.test`` answers for the bot of an installed workspace."""
    return {"url": f"https://{team_id.lower()}.slack.com/", "team": name, "user": "dibs", "team_id": team_id,
            "user_id": f"UB{team_id}", "bot_id": f"BB{team_id}", "is_enterprise_install": False}  # fmt: skip


class WebAPI(People):
    """Answers Web API calls; `methods` maps each method to its handler (add one there to answer a new method)."""

    def __init__(self, workspace: Workspace, now: Callable[[], datetime], bots: dict[str, Bot],
                 any_token: Bot | None = None, directory: Directory | None = None) -> None:  # fmt: skip
        """`bots`: each token's bot (auth.test's answer); `any_token`: the bot of every other token (None: such
        tokens are refused with invalid_auth); `directory`: all there is (None: an open workspace)."""
        super().__init__(workspace, now, directory)
        self.bots = dict(bots)
        self.any_token = any_token
        self.revoked: set[str] = set()  # tokens of uninstalled workspaces
        self._codes: dict[str, tuple[str, str]] = {}  # install code -> (team id, name), usable once
        self._tokens = itertools.count(1)
        self.methods: dict[str, Handler] = {
            "auth.test": lambda p, bot: {"ok": True, **bot},
            "oauth.v2.access": self._install,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "chat.postEphemeral": lambda p, bot: self._post_message(p, bot, private=True),
            "chat.getPermalink": self._permalink,
            "conversations.join": lambda p, bot: self._info(p, bot, join=True),
            "conversations.info": self._info,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.open": lambda p, bot: {"ok": True, "channel": {"id": dm_channel(str(p.get("users")))}},
            "reactions.get": self._reactions,
            **self.people_methods(),
        }

    def call(self, method: str, params: Params, token: str | None) -> Answer:
        """Slack's answer to one call (a copy: the caller may keep it)."""
        handler = self.methods.get(method)
        if handler is None:
            return error("unknown_method")
        if method in NO_TOKEN:
            return copy.deepcopy(handler(params, {}))
        if token in self.revoked:
            return error("token_revoked")
        bot = self.bot_of(token)
        return error("invalid_auth") if bot is None else copy.deepcopy(handler(params, bot))

    def bot_of(self, token: str | None) -> Bot | None:
        """The bot `token` belongs to, or None if Slack refuses it."""
        if token in self.revoked:
            return None
        return self.bots.get(str(token), self.any_token)

    def file_content(self, file_id: str, token: str | None) -> bytes | None:
        """A file's bytes at its private URL, only for a bot token Slack accepts (else None, as for no such file)."""
        found = self.workspace.files.get(file_id)
        if found is None or not str(token).startswith("xoxb-") or self.bot_of(token) is None:
            return None
        return found["content"].encode() if isinstance(found["content"], str) else bytes(found["content"])

    # ---------------------------------------------------------------- installs
    def approve(self, team_id: str, name: str | None = None) -> str:
        """A one-time code for installing the app in ``team_id`` (what Slack's Allow button hands back)."""
        code = f"code-{team_id}-{uuid.uuid4().hex[:8]}"
        self._codes[code] = (team_id, name or f"Workspace {team_id}")
        return code

    def _install(self, p: Params, _: Bot) -> Answer:
        """oauth.v2.access: a code from ``approve`` (once) becomes a bot token of its workspace."""
        found = self._codes.pop(str(p.get("code")), None)
        if found is None or not p.get("client_id") or not p.get("client_secret"):
            return error("invalid_code" if found is None else "invalid_client_id")
        team_id, name = found
        token = f"xoxb-{team_id}-{next(self._tokens)}"
        self.bots[token] = workspace_identity(team_id, name)
        return {
            "ok": True, "app_id": "A111", "authed_user": {"id": f"UI{team_id}"}, "scope": "commands,chat:write",
            "token_type": "bot", "access_token": token, "bot_user_id": f"UB{team_id}",
            "team": {"id": team_id, "name": name}, "enterprise": None, "is_enterprise_install": False,
        }  # fmt: skip

    def tokens_of(self, team_id: str) -> list[str]:
        """Every bot token issued for ``team_id``, oldest first."""
        return [token for token, bot in self.bots.items() if bot["team_id"] == team_id]

    def revoke(self, team_id: str) -> None:
        """The app was uninstalled from ``team_id``: its tokens answer ``token_revoked`` from now on."""
        self.revoked.update(self.tokens_of(team_id))

    # ---------------------------------------------------------------- chat
    def _find(self, channel: Any, ts: Any) -> Message | None:
        """A message everyone in its conversation sees (`channel` may be a person's id: their DM)."""
        found = self.workspace.find(self.conversation(str(channel)) or "", str(ts))
        return found if found is not None and found.visible_to is None else None

    def _own(self, p: Params, bot: Bot, refusal: str) -> Message | Answer:
        """The bot's own message `ts` in `channel` (Slack lets a bot change no one else's)."""
        found = self._find(p.get("channel"), p.get("ts"))
        if found is None:
            return error("message_not_found")
        return found if found.user == bot["user_id"] else error(refusal)

    def _post_message(self, p: Params, bot: Bot, private: bool = False) -> Answer:
        """chat.postMessage, or chat.postEphemeral (`private`: a note only `user` sees)."""
        where = self.postable(str(p.get("channel") or ""))
        if isinstance(where, dict):
            return where
        metadata = p["metadata"] if isinstance(p.get("metadata"), dict) else None
        more = {"visible_to": str(p.get("user"))} if private else {"bot_id": bot["bot_id"], "metadata": metadata}
        message = self.post(where, bot["user_id"], str(p.get("text") or ""), blocks=_list(p.get("blocks")),
                            thread_ts=p.get("thread_ts") or None, **more)  # fmt: skip
        if private:
            return {"ok": True, "message_ts": message.ts}
        return {"ok": True, "channel": where, "ts": message.ts, "message": message.as_slack()}

    def _update(self, p: Params, bot: Bot) -> Answer:
        found = self._own(p, bot, "cant_update_message")
        if isinstance(found, Message):
            found.text, found.blocks = str(p.get("text") or ""), _list(p.get("blocks"))
        elif self.directory is not None or found["error"] != "message_not_found":
            return found
        # (in an open workspace, a message the fake never saw was posted before it knew of it)
        return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "text": p.get("text", "")}

    def _delete(self, p: Params, bot: Bot) -> Answer:
        found = self._own(p, bot, "cant_delete_message")
        if not isinstance(found, Message):
            return found
        self.workspace.messages.remove(found)  # out of its channel's history and its thread
        return {"ok": True, "channel": p.get("channel"), "ts": found.ts}

    def _permalink(self, p: Params, bot: Bot) -> Answer:
        channel, ts = p.get("channel"), str(p.get("message_ts") or "")
        return {"ok": True, "channel": channel, "permalink": f"{bot['url']}archives/{channel}/p{ts.replace('.', '')}"}

    # ---------------------------------------------------------------- conversations
    def _info(self, p: Params, bot: Bot, join: bool = False) -> Answer:
        """conversations.info, or conversations.join (`join`: the bot joins first)."""
        channel = str(p.get("channel"))
        name = self.channel_name(channel)
        if name is None:
            return error("channel_not_found")
        if join and channel not in self.workspace.members:
            self.workspace.members.add(channel)
            self.post(channel, bot["user_id"], "joined the channel", subtype="channel_join")
        return {"ok": True, "channel": {"id": channel, "name": name, "is_channel": True, "is_private": False,
                                        "is_member": channel in self.workspace.members}}  # fmt: skip

    def _history(self, p: Params, _: Bot) -> Answer:
        """Top-level messages newest first, after ``oldest``, at most ``limit`` (the rest behind a cursor)."""
        oldest = ts_key(str(p.get("oldest") or "0"))
        found = [m for m in self.workspace.visible(str(p.get("channel"))) if m.thread_ts in (None, m.ts)]
        found = sorted((m for m in found if ts_key(m.ts) > oldest), key=lambda m: ts_key(m.ts), reverse=True)
        start, limit = int(p.get("cursor") or 0), int(p.get("limit") or 100)
        more = start + limit < len(found)
        return {"ok": True, "messages": [m.as_slack() for m in found[start : start + limit]], "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}  # fmt: skip

    def _replies(self, p: Params, _: Bot) -> Answer:
        """A thread: its parent first (if Slack has it), then the replies."""
        ts = str(p.get("ts"))
        thread = [m for m in self.workspace.visible(str(p.get("channel"))) if ts in (m.ts, m.thread_ts)]
        thread.sort(key=lambda m: (m.ts != ts, ts_key(m.ts)))
        return {"ok": True, "messages": [m.as_slack() for m in thread], "has_more": False}

    def _reactions(self, p: Params, _: Bot) -> Answer:
        message = self._find(p.get("channel"), p.get("timestamp"))
        if message is None and self.directory is not None:
            return error("message_not_found")
        shown = message.as_slack() if message else {"type": "message", "ts": p.get("timestamp")}
        shown["reactions"] = [{"name": name, "users": list(users), "count": len(users)}
                              for name, users in (message.reactions if message else {}).items() if users]  # fmt: skip
        return {"ok": True, "type": "message", "channel": p.get("channel"), "message": shown}

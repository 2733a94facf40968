"""The people side of the fake Web API: who is who (users.info, users.conversations, user groups), where a post to
a person lands (their DM), each person's Home tab and modal (views.*), and files (files.*, the upload v2 flow)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.fakeslack.workspace import Directory, Message, Workspace, dm_channel

Answer = dict[str, Any]
Params = dict[str, Any]
Bot = dict[str, Any]  # auth.test's answer for the token a call carries
Handler = Callable[[Params, Bot], Answer]


def error(code: str) -> Answer:
    """Slack's answer to a call it refuses."""
    return {"ok": False, "error": code}


class People:
    """Users, groups, views and files of a workspace; the base of `WebAPI`."""

    def __init__(self, workspace: Workspace, now: Callable[[], datetime], directory: Directory | None) -> None:
        self.workspace = workspace
        self.now = now
        self.directory = directory
        self.site = ""  # http://host:port serving /files/<id>/<name> and /upload/<id>
        self.triggers: dict[str, str] = {}  # trigger_id -> the person whose action made it
        self.profiles: dict[str, dict[str, Any]] = {}  # user -> status_emoji, status_text, status_expiration
        self.zones: dict[str, str] = {}  # user -> their time zone (users.info's tz)
        self.dnd: dict[str, dict[str, Any]] = {}  # user -> dnd_enabled, next_dnd_start_ts, next_dnd_end_ts
        self.groups: dict[str, list[str]] = {}  # user group -> its members
        self.memberships: dict[str, list[str]] = {}  # user -> their channels (else: every channel there is)
        self.uploads: dict[str, dict[str, Any]] = {}  # files_upload_v2's files by id, shared or not yet
        self._ids = itertools.count(1)

    def people_methods(self) -> dict[str, Handler]:
        """The methods answered here."""
        return {
            "users.info": self._user,
            "dnd.teamInfo": self._dnd,
            "users.conversations": self._memberships,
            "usergroups.users.list": lambda p, _: {"ok": True, "users": self.groups.get(str(p.get("usergroup")), [])},
            "views.publish": self._publish,
            "views.open": self._open,
            "files.info": self._file_info,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._share_upload,
        }

    def post(self, channel: str, user: str, text: str, **more: Any) -> Message:
        """A new message (any field of `Message` in `more`), now, in the workspace."""
        message = Message(ts=self.workspace.next_ts(self.now()), channel=channel, user=user, text=text, **more)
        self.workspace.messages.append(message)
        return message

    def conversation(self, channel: str) -> str | None:
        """The conversation `channel` names (a person's id: their DM with the bot), or None if there is none."""
        if self.directory is None:
            return dm_channel(channel) if channel.startswith(("U", "W")) else channel or None
        if channel in self.directory.channels or channel.startswith("D"):
            return channel
        return dm_channel(channel) if channel in self.directory.people else None

    def postable(self, channel: str) -> str | Answer:
        """Where a post to `channel` lands, or why it cannot (the bot must be in a closed workspace's channel)."""
        where = self.conversation(channel)
        if where is None:
            return error("channel_not_found")
        if self.directory is not None and where in self.directory.channels and where not in self.workspace.members:
            return error("not_in_channel")
        return where

    def channel_name(self, channel: str) -> str | None:
        """A channel's name, or None if there is no such channel."""
        return channel.lower() if self.directory is None else self.directory.channels.get(channel)

    def forget(self) -> None:
        """Forget what the workspace holds and what the fake was told of people (installs stay)."""
        self.workspace = Workspace()
        for kept in (self.triggers, self.profiles, self.zones, self.dnd, self.groups, self.memberships, self.uploads):
            kept.clear()

    # ---------------------------------------------------------------- users
    def _user(self, p: Params, _: Bot) -> Answer:
        user = str(p.get("user") or "")
        name = user.lower() if self.directory is None else self.directory.people.get(user)
        if name is None:
            return error("user_not_found")
        profile = {"status_emoji": "", "status_text": "", "status_expiration": 0, **self.profiles.get(user, {})}
        tz = self.zones.get(user, "America/Los_Angeles")
        return {"ok": True, "user": {"id": user, "name": name, "deleted": False, "is_bot": False, "tz": tz,
                                     "profile": profile}}  # fmt: skip

    def _dnd(self, p: Params, _: Bot) -> Answer:
        """dnd.teamInfo: each asked person's Do Not Disturb (off, unless a test set it)."""
        users = [u for u in str(p.get("users") or "").split(",") if u]
        off = {"dnd_enabled": False, "next_dnd_start_ts": 1, "next_dnd_end_ts": 1}
        return {"ok": True, "users": {u: {**off, **self.dnd.get(u, {})} for u in users}}

    def _memberships(self, p: Params, _: Bot) -> Answer:
        every = list(self.directory.channels) if self.directory else []
        channels = self.memberships.get(str(p.get("user")), every)
        return {"ok": True, "channels": [{"id": c} for c in channels], "response_metadata": {"next_cursor": ""}}

    # ---------------------------------------------------------------- views
    def _publish(self, p: Params, _: Bot) -> Answer:
        user, view = str(p.get("user_id")), p.get("view")
        self.workspace.homes[user] = dict(view) if isinstance(view, dict) else {}
        return {"ok": True, "view": {**self.workspace.homes[user], "id": f"VHOME{user}"}}

    def _open(self, p: Params, _: Bot) -> Answer:
        user = self.triggers.pop(str(p.get("trigger_id")), None)
        if user is None and self.directory is not None:
            return error("expired_trigger_id")
        view = p.get("view")
        opened = {**(view if isinstance(view, dict) else {}), "id": f"V{next(self._ids):08d}"}
        if user is not None:
            self.workspace.modals[user] = opened
        return {"ok": True, "view": opened}

    # ---------------------------------------------------------------- files
    def file_info(self, file_id: str) -> dict[str, Any]:
        """How files.info describes a file the workspace holds."""
        name, content = self.workspace.files[file_id]["name"], self.workspace.files[file_id]["content"]
        url = f"{self.site}/files/{file_id}/{name}"
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "text"
        return {"id": file_id, "name": name, "filetype": filetype, "size": len(content),
                "url_private": url, "url_private_download": url}  # fmt: skip

    def receive_upload(self, file_id: str, content: bytes) -> bool:
        """The bytes posted to an upload URL files.getUploadURLExternal handed out; False if it handed none."""
        upload = self.uploads.get(file_id)
        if upload is not None:
            upload["content"] = content
        return upload is not None

    def _file_info(self, p: Params, _: Bot) -> Answer:
        file_id = str(p.get("file"))
        if file_id not in self.workspace.files:
            return error("file_not_found")
        return {"ok": True, "file": self.file_info(file_id)}

    def _upload_url(self, p: Params, _: Bot) -> Answer:
        file_id = f"F{next(self._ids):08d}"
        self.uploads[file_id] = {"id": file_id, "filename": p.get("filename"), "length": int(p.get("length") or 0),
                                 "alt_txt": p.get("alt_txt")}  # fmt: skip
        return {"ok": True, "upload_url": f"{self.site}/upload/{file_id}", "file_id": file_id}

    def _share_upload(self, p: Params, bot: Bot) -> Answer:
        """files.completeUploadExternal: the uploaded files, shared in a channel (or a thread) with a comment."""
        entries = p["files"] if isinstance(p.get("files"), list) else []
        channel = self.postable(str(p["channel_id"])) if p.get("channel_id") else None
        if isinstance(channel, dict):
            return channel
        shared = []
        for entry in entries:
            upload = self.uploads.get(str(entry.get("id")))
            if upload is None or "content" not in upload:
                return error("file_not_found")
            upload.update(shared=True, title=entry.get("title"), channel_id=p.get("channel_id"),
                          initial_comment=p.get("initial_comment"), thread_ts=p.get("thread_ts"))  # fmt: skip
            shared.append({"id": upload["id"], "title": upload["title"] or upload["filename"],
                           "name": upload["filename"]})  # fmt: skip
        if channel is not None:
            self.post(channel, bot["user_id"], str(p.get("initial_comment") or ""), files=shared,
                      thread_ts=p.get("thread_ts") or None, bot_id=bot["bot_id"])  # fmt: skip
        return {"ok": True, "files": shared}

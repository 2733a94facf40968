"""The page's JSON: the record as one person sees it (their private notes, DMs, Home tab and modal)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.demo.record import Record
from bot.demo.world import BOT_USER, CHANNELS, PEOPLE, name_of
from bot.fakeslack import Message, dm_channel, ts_key
from bot.settings import Settings


def _when(ts: str, settings: Settings) -> str:
    moment = datetime.fromtimestamp(ts_key(ts)[0], settings.tz)
    return f"{moment:%a %d %b, %H:%M}"


def _shown(message: Message, me: str, settings: Settings) -> dict[str, Any]:
    reactions = [
        {"name": name, "count": len(users), "mine": me in users, "who": [name_of(u) for u in users]}
        for name, users in message.reactions.items()
        if users
    ]
    return {
        "ts": message.ts,
        "channel": message.channel,
        "user": message.user,
        "name": name_of(message.user),
        "bot": message.user == BOT_USER,
        "text": message.text,
        "blocks": message.blocks,
        "thread_ts": message.thread_ts,
        "private": message.visible_to is not None,
        "command": message.command,
        "files": [f.get("name") for f in message.files],
        "subtype": message.subtype,
        "when": _when(message.ts, settings),
        "reactions": reactions,
    }


def conversation(record: Record, channel: str, me: str, settings: Settings) -> list[dict[str, Any]]:
    """A channel's top-level messages, oldest first, each with its thread; notes only `me` sees included."""
    mine = [m for m in record.messages if m.channel == channel and m.visible_to in (None, me)]
    mine.sort(key=lambda m: ts_key(m.ts))
    top = [_shown(m, me, settings) for m in mine if m.thread_ts in (None, m.ts)]
    by_ts = {shown["ts"]: shown for shown in top}
    for shown in top:
        shown["replies"] = []
    for message in mine:
        if message.thread_ts not in (None, message.ts) and message.thread_ts in by_ts:
            by_ts[message.thread_ts]["replies"].append(_shown(message, me, settings))
    return top


def state(record: Record, me: str, now: datetime, settings: Settings) -> dict[str, Any]:
    """Everything the page shows `me`, at `version`."""
    with record.changed:
        return {
            "version": record.version,
            "now": f"{now.astimezone(settings.tz):%a %d %b %Y, %H:%M} ({settings.timezone})",
            "me": me,
            "people": [{"id": p.id, "name": p.name, "title": p.title} for p in PEOPLE],
            "channels": [
                {
                    "id": cid,
                    "name": name,
                    "messages": conversation(record, cid, me, settings),
                    "member": cid in record.members,
                }
                for cid, name in CHANNELS.items()
            ],
            "dm": conversation(record, dm_channel(me), me, settings),
            "home": record.homes.get(me),
            "modal": record.modals.get(me),
            "calls": list(record.calls)[-60:][::-1],
            "names": {p.id: p.name for p in PEOPLE} | {BOT_USER: "Dibs"},
            "channel_names": dict(CHANNELS),
        }

"""A CSV of recipients shared in a gift campaign's thread: read back after the ack (files.info, then the
file itself, with the bot token), imported in one transaction, and the person who shared it told how it went."""

from __future__ import annotations

import urllib.request
from typing import Any

from slack_sdk import WebClient

from bot.gifts.recipients import RecipientsError, read_recipients
from bot.tasks import rules
from bot.tasks.tx import Tx
from store.enums import Via
from store.models import Task
from store.queries.gifts import add_recipients, gift_counts

MAX_BYTES = 2_000_000


def is_csv(file: dict[str, Any]) -> bool:
    """A file shared in Slack that looks like a CSV."""
    return file.get("filetype") == "csv" or str(file.get("name") or "").lower().endswith(".csv")


def download(client: WebClient, answer: dict[str, Any]) -> str:
    """The text of the file files.info described (private files need the bot token)."""
    file = answer.get("file") or {}
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if not url.startswith(("https://", "http://")):
        raise OSError("Slack gave no address for the file")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    with urllib.request.urlopen(request, timeout=15) as reply:
        data: bytes = reply.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    return data.decode("utf-8-sig", errors="replace")


def import_recipients(tx: Tx, task_id: int, user_id: str, text: str) -> str:
    """Import the recipients in `text` (a CSV read back from Slack) into the campaign `task_id`; what to tell
    the person who shared the file."""
    task = tx.session.get(Task, task_id)
    if task is None:
        return "That campaign is gone, so I imported nothing."
    try:
        found = read_recipients(text)
    except RecipientsError as error:
        return f"I could not read recipients from that file: {error}."
    rows = [{"name": r.name, "name_key": r.key, "email": r.email, "company": r.company, "address": r.address,
             "owner": r.owner} for r in found]  # fmt: skip
    added = add_recipients(tx.session, task.team_id, task.id, rows, tx.now)
    rules.record(tx, task, user_id, "recipients", Via.GIFT, detail=f"{added} of {len(found)}")
    total = sum(gift_counts(tx.session, task.id).values())
    return f"#{task.id} has {total:,} recipients now ({added:,} new). `/dibs gift {task.id}` lists them."

"""How Dibs announces a follow-up that did not start as a Slack post (a blog comment, a webhook, a
missed gift): one top-level post in the channel; the task lives under it and its thread follows."""

from __future__ import annotations

from datetime import date

from bot.delivery.outbox import queue_message
from bot.intake.classify import title_from
from bot.settings import Kind
from bot.slack.blocks import SECTION_LIMIT, TEXT_LIMIT, Message, section
from bot.slack.text import escape, is_web_link
from bot.tasks.model import TaskSnapshot
from bot.tasks.service import NewTask, create_task
from bot.tasks.tx import Tx
from store.enums import Purpose, Via
from store.queries.channels import watched

EXCERPT_LINES = 4
EXCERPT_CHARACTERS = 600


def excerpt(text: str) -> str:
    """The first few lines of a longer text, cut at a word."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()][:EXCERPT_LINES]
    short = "\n".join(lines)
    if len(short) > EXCERPT_CHARACTERS:
        short = short[: EXCERPT_CHARACTERS - 1].rsplit(" ", 1)[0] + "…"
    return short


def build_intake_announcement(headline: str, details: str | None, url: str | None) -> Message:
    """The channel post: a headline (already mrkdwn, its typed parts escaped), the details quoted, the link.

    Cut to fit Slack: the link always stays.
    """
    link = f"\n<{escape(url)}|Open it>" if url and is_web_link(url) else ""
    quoted = "\n".join(f"> {escape(line)}" for line in excerpt(details).splitlines()) if details else ""
    room = SECTION_LIMIT - len(headline) - len(link) - 2
    body = f"{headline}\n{quoted[: max(room, 0)]}".rstrip() + link
    return Message(text=body[:TEXT_LIMIT], blocks=[section(body[:SECTION_LIMIT])])


def open_announced_task(
    tx: Tx,
    *,
    team_id: str,
    channel_id: str,
    kind: Kind,
    title: str,
    posted_by: str,
    source: Via,
    message: Message,
    due_on: date | None = None,
    private: bool | None = None,
    response_url: str | None = None,
) -> TaskSnapshot:
    """A task announced by Dibs itself: the task now, its post (and then its thread) from the outbox."""
    if private is None:
        channel = watched(tx.session, team_id, channel_id)
        private = channel.private if channel is not None else channel_id.startswith("G")
    new = NewTask(
        team_id=team_id, channel_id=channel_id, kind=kind.name, title=title_from(title), slots=kind.slots,
        posted_by=posted_by, message_ts=None, source=source, due_on=due_on, private=private,
    )  # fmt: skip
    task = create_task(tx, new)
    assert task is not None  # no post yet, so nothing to collide with
    queue_message(tx, team_id, channel_id, message, Purpose.ANNOUNCE, task_id=task.id, response_url=response_url)
    return task

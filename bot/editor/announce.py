"""How Dibs announces a follow-up that did not start as a Slack post (a blog comment, a webhook, a
missed gift): one top-level post in the channel; the task lives under it and its thread follows."""

from __future__ import annotations

from bot.slack.blocks import SECTION_LIMIT, TEXT_LIMIT, Message, section
from bot.slack.text import escape, is_web_link

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

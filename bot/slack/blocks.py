"""Block Kit helpers and Slack's size limits, shared by every view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack.ids import ActionId

SECTION_LIMIT = 3000
MESSAGE_BLOCK_LIMIT = 50
HOME_BLOCK_LIMIT = 100
TEXT_LIMIT = 3900  # a message's fallback text: Slack truncates past 4,000 characters


@dataclass(frozen=True)
class Message:
    """A message to post or update: the fallback `text` (notifications, screen readers) and blocks."""

    text: str
    blocks: list[Block]

    def as_kwargs(self) -> dict[str, object]:
        """The `text` and `blocks` arguments of chat.postMessage / chat.update / an ack."""
        return {"text": self.text, "blocks": [b.to_dict() for b in self.blocks]}


def section(text: str) -> SectionBlock:
    """A mrkdwn section."""
    return SectionBlock(text=MarkdownTextObject(text=text))


def text_message(text: str) -> Message:
    """A message of one section that says `text`."""
    return Message(text=text, blocks=[section(text)])


def sections(lines: Sequence[str], max_blocks: int) -> list[Block]:
    """Pack lines into as few sections as fit Slack's 3,000-character limit, at most `max_blocks`."""
    blocks: list[Block] = []
    chunk = ""
    for line in lines:
        line = line[: SECTION_LIMIT - 1]
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    return blocks[:max_blocks]


def share_blocks(needs: Sequence[int], budget: int) -> list[int]:
    """Split `budget` blocks between lists fairly: small lists get all they need, big ones share the rest."""
    shares = [0] * len(needs)
    left = budget
    order = sorted(range(len(needs)), key=lambda i: needs[i])
    for done, i in enumerate(order):
        shares[i] = min(needs[i], left // (len(needs) - done))
        left -= shares[i]
    return shares


def with_buttons(text: str, value: str, *buttons: tuple[str, str], primary: bool = True) -> Message:
    """`text`, then a row of buttons (label, action id) that all carry `value`; the first is the primary one."""
    elements = [
        ButtonElement(text=label, action_id=action, value=value, style="primary" if primary and n == 0 else None)
        for n, (label, action) in enumerate(buttons)
    ]
    return Message(text=text[:TEXT_LIMIT], blocks=[section(text), ActionsBlock(elements=elements)])


def answered_message(
    blocks: Sequence[Any], text: str, chosen: str, undo: int | None = None, block_id: str | None = None
) -> Message:
    """A message of Dibs's whose button was answered: its blocks as Slack sent them back, without the buttons,
    then `chosen` (Dibs's own words) in small print, and an Undo button when the change can be undone. In a
    message with a row of buttons per task, only the answered row (`block_id`) gives way."""
    said: list[Block] = [ContextBlock(elements=[MarkdownTextObject(text=chosen)])]
    if undo is not None:
        said.append(ActionsBlock(elements=[ButtonElement(text="Undo", action_id=ActionId.UNDO, value=str(undo))]))
    rows = [b for b in blocks if isinstance(b, dict) and b.get("type") == "actions"]
    if block_id and len(rows) > 1 and any(b.get("block_id") == block_id for b in rows):
        kept: list[Block] = []
        for raw in blocks:
            if isinstance(raw, dict) and raw.get("block_id") == block_id:
                kept += said
            elif isinstance(raw, dict) and (parsed := Block.parse(raw)) is not None:
                kept.append(parsed)
        return Message(text=text[:TEXT_LIMIT] or chosen, blocks=kept)
    plain = [Block.parse(b) for b in blocks if isinstance(b, dict) and b.get("type") not in ("actions", None)]
    body = [b for b in plain if b is not None and b.type != "context"] or [section(text[: SECTION_LIMIT - 1] or "…")]
    return Message(text=text[:TEXT_LIMIT] or chosen, blocks=[*body, *said])

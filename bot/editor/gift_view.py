"""`/dibs gift ID`: a campaign's recipients, the pending ones with a Delivered / Missed choice each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from slack_sdk.models.blocks import Block, OverflowMenuElement, SectionBlock
from slack_sdk.models.blocks.basic_components import MarkdownTextObject, Option

from bot.editor.thread_view import gifts_line
from bot.editor.words import linked_title
from bot.slack.blocks import MESSAGE_BLOCK_LIMIT, Message, section
from bot.slack.ids import ActionId
from bot.slack.text import escape
from bot.tasks.model import TaskSnapshot
from store.enums import GiftState
from store.models import GiftRecipient

SHOWN = MESSAGE_BLOCK_LIMIT - 4


def _who(recipient: GiftRecipient) -> str:
    company = f" · {escape(recipient.company)}" if recipient.company else ""
    owner = f" · <@{recipient.owner}>" if recipient.owner else ""
    return f"*{escape(recipient.name)}*{company}{owner}"


def build_gift_list(task: TaskSnapshot, recipients: list[GiftRecipient], links: Sequence[str] = ()) -> Message:
    """The campaign's counts, then each pending recipient with a choice: delivered or missed; last, which
    platforms' webhooks mark its gifts (`links`, like "Goody batch `d158184c`")."""
    marked = f"\nWebhooks mark its gifts from: {', '.join(links)}." if links else ""
    if not recipients:
        text = (
            f"#{task.id} has no recipients yet: share a CSV (a `name` column; email, company, address, owner "
            f"optional) in its thread, or run `dibs gifts import` on the server.{marked}"
        )
        return Message(text=text, blocks=[section(text)])
    counts = Counter(str(r.state) for r in recipients)
    blocks: list[Block] = [
        section(f"*#{task.id}* {linked_title(task)}\n{gifts_line(counts).replace('ID', str(task.id))}{marked}")
    ]
    pending = [r for r in recipients if r.state == GiftState.PENDING]
    for recipient in pending[:SHOWN]:
        choices = [
            Option(text=label, value=f"{task.id}:{recipient.id}:{state}")
            for label, state in (("Delivered", GiftState.DELIVERED), ("Missed: make a follow-up", GiftState.MISSED))
        ]
        menu = OverflowMenuElement(action_id=ActionId.GIFT, options=choices)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_who(recipient)), accessory=menu))
    if len(pending) > SHOWN:
        blocks.append(section(f"…and {len(pending) - SHOWN:,} more pending: `/dibs gift {task.id} delivered NAME`."))
    missed = [r for r in recipients if r.state == GiftState.MISSED]
    if missed:
        shown = ", ".join(f"{escape(r.name)} (#{r.followup_task_id})" for r in missed[:20])
        blocks.append(section(f"*Missed:* {shown}" + (" …" if len(missed) > 20 else "")))
    return Message(text=f"#{task.id}: {sum(counts.values())} recipients", blocks=blocks[:MESSAGE_BLOCK_LIMIT])

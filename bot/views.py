"""Block Kit for every message and view Dibs shows: pure functions from data to blocks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ids import LINK_INPUT, ActionId, BlockId, CallbackId
from bot.policy import local_day
from bot.settings import Kind, Settings
from bot.tasks import TaskSnapshot
from store.models import CANCELLED, DONE, utcnow

SECTION_LIMIT = 3000
MESSAGE_BLOCK_LIMIT = 50
HOME_BLOCK_LIMIT = 100


@dataclass(frozen=True)
class Message:
    """A message to post or update: the fallback `text` (notifications, screen readers) and blocks."""

    text: str
    blocks: list[Block]

    def as_kwargs(self) -> dict[str, object]:
        return {"text": self.text, "blocks": [b.to_dict() for b in self.blocks]}


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def people(user_ids: Sequence[str]) -> str:
    return ", ".join(mention(u) for u in user_ids)


def age(since: datetime, now: datetime | None = None) -> str:
    """A short age like `5m`, `3h` or `2d`."""
    seconds = max(int(((now or utcnow()) - since).total_seconds()), 0)
    if seconds < 60:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "just now"


def owners_line(task: TaskSnapshot) -> str:
    """Who has a task, as `<@U…>` mentions, or the word unclaimed; then the waitlist."""
    text = people(task.owners) if task.owners else "unclaimed"
    if task.waitlist:
        text += f" · waitlist {people(task.waitlist)}"
    return text


def linked_title(task: TaskSnapshot) -> str:
    title = task.title.replace("|", "¦").replace(">", "›").replace("<", "‹")
    return f"<{task.permalink}|{title}>" if task.permalink else title


def due_note(task: TaskSnapshot, today: date | None = None) -> str:
    """` · due Sat 12 Dec`, or an overdue warning from the day after; empty without a due date or once done."""
    if task.due_on is None or task.is_finished:
        return ""
    if (today or utcnow().date()) > task.due_on:
        return f" · :warning: *overdue* (due {task.due_on:%a %d %b})"
    return f" · due {task.due_on:%a %d %b}"


def status_text(task: TaskSnapshot, today: date | None = None) -> str:
    """The status section of the ownership thread: who owns it, who waits, whether it is done."""
    if task.status == DONE:
        by = f" by {mention(task.done_by)}" if task.done_by else ""
        proof = f"\n*Proof:* {task.done_link}" if task.done_link else ""
        return f":white_check_mark: *Done*{by}. Owners: {people(task.owners) or 'nobody'}.{proof}"
    if task.status == CANCELLED:
        return ":no_entry_sign: *Cancelled.*"
    if not task.owners:
        slots = f" ({task.slots} people needed)" if task.slots > 1 else ""
        return f":raising_hand: *Unclaimed*{slots}{due_note(task, today)}"
    text = f"*Owners:* {people(task.owners)} ({len(task.owners)} of {task.slots}){due_note(task, today)}"
    if task.waitlist:
        text += f"\n*Waitlist:* {people(task.waitlist)}"
    return text


def build_ownership_message(task: TaskSnapshot, kind: Kind | None, settings: Settings) -> Message:
    """The bot's reply in the post's thread: the question, the owners, the buttons."""
    question = kind.question if kind else "Who owns this follow-up?"
    group = f" <!subteam^{kind.owner_group}>" if kind and kind.owner_group else ""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*#{task.id}* · {task.kind}: {question}{group}")),
        SectionBlock(text=MarkdownTextObject(text=status_text(task, local_day(utcnow(), settings)))),
    ]
    if not task.is_finished:
        value = str(task.id)
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text="I'll take it", action_id=ActionId.CLAIM, value=value, style="primary"),
                    ButtonElement(text="Done", action_id=ActionId.DONE, value=value),
                ]
            )
        )
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"React with :{settings.claim_reaction}: to take it and "
                        f":{settings.done_reaction}: when it is done, or use `/dibs claim {task.id}`."
                    )
                ]
            )
        )
    text = f"#{task.id} {task.title}: {question} {status_text(task, local_day(utcnow(), settings)).splitlines()[0]}"
    return Message(text=text[:3900], blocks=blocks)


def build_announcement(task_title: str, kind: str, user_id: str) -> Message:
    """The channel post `/dibs new` makes; its thread becomes the ownership thread."""
    text = f"New {kind}: *{task_title}* (posted by {mention(user_id)} with /dibs new)"
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def task_line(task: TaskSnapshot, now: datetime | None = None, today: date | None = None) -> str:
    """One line of `/dibs list`: id, kind, linked title, age, owners, and the due date if any."""
    line = (
        f"• *#{task.id}* {task.kind} · {linked_title(task)} · {age(task.created_at, now)} · {owners_line(task)}"
        f"{due_note(task, today)}"
    )
    if task.status == DONE:
        line += " · done" + (f" ({task.done_link})" if task.done_link else "")
    elif task.status == CANCELLED:
        line += " · cancelled"
    return line


def _sections(lines: Sequence[str], max_blocks: int) -> list[Block]:
    """Pack lines into as few sections as fit Slack's 3,000-character limit."""
    blocks: list[Block] = []
    chunk = ""
    for line in lines:
        line = line[: SECTION_LIMIT - 1]
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
    return blocks[:max_blocks]


LIST_TITLES = {
    "open": "Open tasks",
    "unclaimed": "Unclaimed tasks",
    "mine": "Your tasks",
    "all": "All tasks, newest first",
}


def build_task_list(which: str, tasks: Sequence[TaskSnapshot], total: int, today: date | None = None) -> Message:
    """The answer to `/dibs list`."""
    title = LIST_TITLES.get(which, "Tasks")
    if not tasks:
        empty = {
            "mine": "You have no open tasks.",
            "unclaimed": "Nothing is unclaimed. :tada:",
        }.get(which, "There are no open tasks.")
        return Message(text=empty, blocks=[SectionBlock(text=MarkdownTextObject(text=empty))])
    lines = [task_line(t, today=today) for t in tasks]
    if total > len(tasks):
        lines.append(f"…and {total - len(tasks)} more.")
    header = f"*{title}* ({total})"
    blocks = [SectionBlock(text=MarkdownTextObject(text=header)), *_sections(lines, MESSAGE_BLOCK_LIMIT - 1)]
    return Message(text=f"{title}: {total}", blocks=blocks)


def build_done_link_modal(task: TaskSnapshot, channel_id: str) -> View:
    """The modal that asks for proof of done (a link or tracking number)."""
    return View(
        type="modal",
        callback_id=CallbackId.DONE_LINK,
        private_metadata=json.dumps({"task": task.id, "channel": channel_id}),
        title=PlainTextObject(text=f"Finish #{task.id}"),
        submit=PlainTextObject(text="Mark done"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"*{linked_title(task)}* needs proof that it is done.")),
            InputBlock(
                block_id=BlockId.LINK,
                label=PlainTextObject(text="Link or tracking number"),
                element=PlainTextInputElement(action_id=LINK_INPUT, placeholder="https://… or a tracking number"),
            ),
        ],
    )


def build_home(
    mine: Sequence[TaskSnapshot], unclaimed: Sequence[TaskSnapshot], unclaimed_total: int, today: date | None = None
) -> View:
    """The App Home tab: your tasks, then what nobody has taken yet."""
    blocks: list[Block] = [
        HeaderBlock(text="Dibs"),
        SectionBlock(text=MarkdownTextObject(text="*Your tasks*")),
    ]
    blocks += _sections([task_line(t, today=today) for t in mine] or ["You have no open tasks."], 40)
    blocks += [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=f"*Unclaimed* ({unclaimed_total})"))]
    lines = [task_line(t, today=today) for t in unclaimed] or ["Nothing is unclaimed. :tada:"]
    if unclaimed_total > len(unclaimed):
        lines.append(f"…and {unclaimed_total - len(unclaimed)} more: `/dibs list unclaimed`.")
    blocks += _sections(lines, 40)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text="`/dibs help` lists every command.")]))
    return View(type="home", blocks=blocks[:HOME_BLOCK_LIMIT])


HELP = """*Dibs* makes sure every marketing follow-up has an owner.
• `/dibs watch` / `/dibs unwatch`: start or stop turning posts in this channel into tasks
• `/dibs new KIND TITLE`: post a task here yourself, e.g. `/dibs new event Booth at Springfield Expo`
• `/dibs list [unclaimed|mine|all]`: open tasks (default), unclaimed ones, yours, or everything
• `/dibs claim ID` / `/dibs release ID`: take a task or let it go (`ID` like `12` or `#12`)
• `/dibs done ID [LINK]`: mark it done (some kinds need a link or tracking number as proof)
• `/dibs assign ID @someone`: hand it over (owners and the poster can)
• `/dibs snooze ID 2d`: no reminders for a task for a while
• `/dibs due ID 2026-12-12`: give it a due date (`none` clears it)
• `/dibs mute` / `/dibs unmute`: pause or resume reminders in this channel
• `/dibs digest [preview]`: post the digest here now, or show it only to you
`/dibs help` shows this again. In a task's thread, react with :{claim}: to take it, :{done}: when done.
Kinds: {kinds}."""


def build_help(settings: Settings, prefix: str = "") -> str:
    """`/dibs help`, optionally after a sentence saying what was wrong."""
    text = HELP.format(
        claim=settings.claim_reaction, done=settings.done_reaction, kinds=", ".join(sorted(settings.kinds))
    )
    return f"{prefix}\n\n{text}" if prefix else text

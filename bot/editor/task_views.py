"""Block Kit about tasks outside their thread: `/dibs list`, the proof-of-done modal, the Track with Dibs
form and the channel post `/dibs new` makes. Pure functions from data (and `now`) to blocks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.editor.words import linked_title, task_line
from bot.settings import Settings
from bot.settings.labels import kind_in_sentence, kind_label
from bot.slack.blocks import MESSAGE_BLOCK_LIMIT, Message, section, sections, text_message
from bot.slack.ids import LINK_INPUT, BlockId, CallbackId
from bot.slack.text import escape, mention, plain
from bot.tasks.model import TaskSnapshot

LIST_TITLES = {
    "open": "Open tasks",
    "unclaimed": "Unclaimed tasks",
    "mine": "Your tasks",
    "all": "All tasks, newest first",
}
EMPTY_LISTS = {"mine": "You have no open tasks.", "unclaimed": "Nothing is unclaimed. :tada:"}


def build_task_list(
    which: str, tasks: Sequence[TaskSnapshot], total: int, now: datetime, today: date, settings: Settings | None = None
) -> Message:
    """The answer to `/dibs list` (`settings`: whose kinds' labels it shows)."""
    title = LIST_TITLES.get(which, "Tasks")
    if not tasks:
        return text_message(EMPTY_LISTS.get(which, "There are no open tasks."))
    lines = [task_line(t, now, today, settings) for t in tasks]
    if total > len(tasks):
        lines.append(f"…and {total - len(tasks)} more.")
    blocks = [section(f"*{title}* ({total})"), *sections(lines, MESSAGE_BLOCK_LIMIT - 1)]
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
            section(f"*{linked_title(task)}* needs proof that it is done."),
            InputBlock(
                block_id=BlockId.LINK,
                label=PlainTextObject(text="Link or tracking number"),
                element=PlainTextInputElement(action_id=LINK_INPUT, placeholder="https://… or a tracking number"),
            ),
        ],
    )


def build_announcement(task_title: str, kind: str, user_id: str, settings: Settings | None = None) -> Message:
    """The channel post `/dibs new` makes (`kind`: its key); its thread becomes the ownership thread."""
    named = kind_in_sentence(settings, kind)
    return text_message(f"New {named}: *{escape(plain(task_title))}* (posted by {mention(user_id)} with /dibs new)")


def build_track_modal(
    title: str, kinds: Sequence[str], suggested: str | None, meta: dict[str, str], settings: Settings | None = None
) -> View:
    """ "Track with Dibs": the kind (the post's own guess first; each shows its label, its value is its key),
    a title to edit, an optional due date."""
    options = [Option(text=kind_label(settings, name), value=name) for name in kinds]
    initial = next((o for o in options if o.value == suggested), options[0])
    return View(
        type="modal",
        callback_id=CallbackId.TRACK,
        private_metadata=json.dumps(meta),
        title=PlainTextObject(text="Track with Dibs"),
        submit=PlainTextObject(text="Track it"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            InputBlock(
                block_id=BlockId.KIND,
                label=PlainTextObject(text="Kind of follow-up"),
                element=StaticSelectElement(action_id="kind", options=options, initial_option=initial),
            ),
            InputBlock(
                block_id=BlockId.TITLE,
                label=PlainTextObject(text="Title"),
                element=PlainTextInputElement(action_id="title", initial_value=title[:150], max_length=150),
            ),
            InputBlock(
                block_id=BlockId.DUE,
                label=PlainTextObject(text="Due date"),
                optional=True,
                element=DatePickerElement(action_id="due"),
            ),
        ],
    )

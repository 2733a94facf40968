"""The ownership thread reply: the question, who owns it, who waits, the buttons. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    UserSelectElement,
)

from bot.editor.words import due_note, local_time
from bot.settings import Kind, Settings
from bot.settings.labels import kind_tag
from bot.slack.blocks import TEXT_LIMIT, Message, section
from bot.slack.ids import ActionId
from bot.slack.text import escape, mention, named, people, plain, proof
from bot.tasks.event import when_text
from bot.tasks.model import Seating, TaskSnapshot
from store.enums import TaskStatus

DEFAULT_QUESTION = "Who owns this follow-up?"
SEATS_BLOCK = "dibs_task_"  # the thread's buttons' block: its id ends with the task id (a person picker has no value)


def status_text(task: TaskSnapshot, today: date, settings: Settings | None = None) -> str:
    """The status section of the ownership thread: who owns it, who waits, whether it is done."""
    if task.status == TaskStatus.DONE:
        by = f" by {mention(task.done_by)}" if task.done_by else ""
        shown = f"\n*Proof:* {proof(task.done_link)}" if task.done_link else ""
        return f":white_check_mark: *Done*{by}. Owners: {people(task.owners) or 'nobody'}.{shown}"
    if task.status == TaskStatus.CANCELLED:
        return ":no_entry_sign: *Cancelled.*"
    settings = settings or Settings()
    if task.has_roles:
        return f"*Seats* ({task.slots - task.free_slots} of {task.slots} taken){due_note(task, today)}\n" + "\n".join(
            _role_line(seating, settings) for seating in task.seating
        )
    if not task.owners and not task.offered:
        slots = f" ({task.slots} people needed)" if task.slots > 1 else ""
        away = f"; {task.nominee_note}" if task.nominee_note else ""
        asked = (
            f"\nDibs asked {mention(task.nominee)} privately whether they can take it{away}." if task.nominee else ""
        )
        return f":raising_hand: *Unclaimed*{slots}{due_note(task, today)}{asked}"
    held = len(task.owners) + len(task.offered)
    text = f"*Owners:* {_holders(task.seats_shown[0], settings)} ({held} of {task.slots}){due_note(task, today)}"
    if task.waitlist:
        text += f"\n*Waitlist:* {people(task.waitlist)}"
    return text


def _holders(seating: Seating, settings: Settings) -> str:
    """`<@a>, <@b> (placed by <@admin>), offered to <@c> until Tue 01 Dec 14:00 (UTC)`."""
    placed = dict(seating.placed_by)
    names = [mention(o) + (f" (placed by {mention(placed[o])})" if o in placed else "") for o in seating.owners]
    names += [f"offered to {mention(u)} until {local_time(until, settings)}" for u, until in seating.offered]
    return named(names) or "nobody yet"


def _role_line(seating: Seating, settings: Settings) -> str:
    """One role in the thread: its people, its free seats in bold, its waitlist."""
    free = f"*{seating.free} free*" if seating.free else ""
    held = _holders(seating, settings) if seating.owners or seating.offered else ""
    line = f"• *{seating.name}* ({seating.seats}): " + (", ".join(x for x in (held, free) if x))
    return line + (f" · waitlist: {people(seating.waiting)}" if seating.waiting else "")


def claim_label(task: TaskSnapshot) -> str:
    """The claim button's words: "I'll take it", or "Join the waitlist" once every seat is held (the same
    button: a claim past the last seat joins the line)."""
    return "I'll take it" if task.free_slots else "Join the waitlist"


def _buttons(task: TaskSnapshot, settings: Settings) -> list[Block]:
    value = str(task.id)
    hint = (
        f"React with :{settings.claim_reaction}: to take {'a seat' if task.has_roles or task.slots > 1 else 'it'} and "
        f":{settings.done_reaction}: when it is done, or use `/dibs claim {task.id}"
        + (" ROLE`." if task.has_roles else "`.")
    )
    if task.has_roles:  # a full role's button joins its waitlist, and says so
        claim: list[ButtonElement] = [
            ButtonElement(text=(f"I'll take {s.name}" if s.free else f"Join the {s.name} waitlist")[:75],
                          action_id=f"{ActionId.CLAIM_SEAT}_{n}", value=f"{task.id}:{s.name}",
                          style="primary" if s.free else None)
            for n, s in enumerate(task.seating[:20])
        ]  # fmt: skip
    else:
        claim = [ButtonElement(text=claim_label(task), action_id=ActionId.CLAIM, value=value, style="primary")]
    elements: list[ButtonElement | UserSelectElement] = [*claim]
    if task.owners:  # Done once someone owns it
        elements.append(ButtonElement(text="Done", action_id=ActionId.DONE, value=value))
    if task.owners and (task.has_roles or task.slots > 1):  # an owner can ask someone to take their seat
        elements.append(UserSelectElement(placeholder="Hand my seat to…", action_id=ActionId.SWAP_PICK))
    return [
        ActionsBlock(block_id=f"{SEATS_BLOCK}{task.id}", elements=elements),
        ContextBlock(elements=[MarkdownTextObject(text=hint)]),
    ]


def gifts_line(counts: Mapping[str, int]) -> str:
    """A campaign's recipients: `:gift: 180 delivered · 3 missed · 17 pending (of 200)`."""
    total = sum(counts.values())
    parts = " · ".join(f"{counts.get(s, 0):,} {s}" for s in ("delivered", "missed", "pending"))
    return f":gift: {parts} (of {total:,}) · `/dibs gift ID` lists them"


def build_ownership_message(
    task: TaskSnapshot, kind: Kind | None, settings: Settings, today: date, gifts: Mapping[str, int] | None = None
) -> Message:
    """The bot's reply in the post's thread: the question, the owners, a campaign's gifts, the buttons."""
    question = kind.question if kind else DEFAULT_QUESTION
    group = f" <!subteam^{kind.owner_group}>" if kind and kind.owner_group else ""
    status = status_text(task, today, settings)
    when = when_text(task, settings) if task.event_start or task.place else ""
    header = f"*#{task.id}* · {kind_tag(settings, task.kind)}: {question}{group}{when}"
    blocks: list[Block] = [section(header), section(status)]
    if gifts:
        blocks.append(section(gifts_line(gifts).replace("ID", str(task.id))))
    if not task.is_finished:
        blocks += _buttons(task, settings)
    text = f"#{task.id} {escape(plain(task.title))}: {question} {status.splitlines()[0]}"
    return Message(text=text[:TEXT_LIMIT], blocks=blocks)

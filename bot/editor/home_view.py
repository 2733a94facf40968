"""Block Kit for the App Home tab: a pure function from `HomeData` to a view of at most 100 blocks.

Your tasks come first (overdue ones on top) with Done and Release buttons, then the unclaimed tasks
of the watched channels you are in with "I'll take it", then what you finished this week. Each list
is oldest first and cut to its share of the blocks, ending with how many more there are and the
command that lists them. Someone in no watched channel, with nothing of their own, sees how to start.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.editor.home_data import HomeData
from bot.editor.phrase_view import suggestion_blocks
from bot.editor.words import due_note, local_time, owners_line, short, task_name
from bot.slack.blocks import HOME_BLOCK_LIMIT, section, sections, share_blocks, with_buttons
from bot.slack.ids import ActionId
from bot.slack.text import escape, format_duration
from bot.tasks.model import TaskSnapshot

FOOTER = ContextBlock(elements=[MarkdownTextObject(text="`/dibs help` lists every command.")])
# Blocks the lists of tasks share; the rest is the header, the summary, a notice, headings, dividers,
# "more" lines, what you finished and the footer.
LIST_BUDGET = 80
FINISHED_SHOWN = 15
WAITING_SHOWN = 10  # what they posted and wait on others for
START = (
    "*Dibs makes sure every marketing follow-up has an owner.*\n"
    "You are not in any channel Dibs watches yet. To start:\n"
    "1. Invite Dibs to the channel where marketing posts things to follow up: `/invite @Dibs`.\n"
    "2. Type `/dibs watch` there. Posts about events, blog comments and gifts then get a thread "
    "asking who owns them.\n"
    "3. Take one with :raising_hand: or *I'll take it*; it shows up here."
)


def _named(task: TaskSnapshot, data: HomeData) -> str:
    """`*#12* :calendar: Event · <title>`: the task's number, its kind's label and its linked title."""
    return task_name(short(task), data.settings)


def summary_line(data: HomeData) -> str:
    """`Team: 12 open · 3 unclaimed for more than a day · median time to claim this week 3h 20m`."""
    s = data.summary
    waited = format_duration(s.median_to_claim) if s.median_to_claim is not None else "no claims yet"
    return (
        f"Team: {s.open} open · {s.waiting_over_a_day} unclaimed for more than a day · "
        f"median time to claim this week {waited}"
    )


def _offered(task: TaskSnapshot, data: HomeData, until: datetime) -> list[Block]:
    """A seat held for them: Take it or Pass, as in the direct message that offered it."""
    line = (
        f"{_named(task, data)}{due_note(task, data.today)}\n"
        f"A seat is held for you until {local_time(until, data.settings)}."
    )
    return with_buttons(line, str(task.id), ("Take it", ActionId.TAKE_OFFER), ("Pass", ActionId.PASS_OFFER)).blocks


def _mine(task: TaskSnapshot, data: HomeData) -> list[Block]:
    offer = next((until for user, until in task.offered if user == data.user_id), None)
    if offer is not None:
        return _offered(task, data, offer)
    waiting = data.user_id in task.waitlist
    seat = next((s.name for s in task.seating if s.name and data.user_id in (*s.owners, *s.waiting)), None)
    line = f"{_named(task, data)}{due_note(task, data.today)}"
    line += f" · {'waiting for' if waiting else 'your seat:'} {escape(seat)}" if seat else ""
    if waiting:
        line += f"\nYou are number {task.waitlist.index(data.user_id) + 1} on the waitlist · {owners_line(task)}"
    elif len(task.owners) > 1:  # the others who have it: they read "you" nowhere, so they are not named
        line += f"\nWith {owners_line(task, leaving_out=data.user_id)}"
    buttons = (
        [] if waiting else [ButtonElement(text="Done", action_id=ActionId.DONE, value=str(task.id), style="primary")]
    )
    buttons.append(ButtonElement(text="Leave waitlist" if waiting else "Release", action_id=ActionId.RELEASE,
                                 value=str(task.id)))  # fmt: skip
    return [section(line), ActionsBlock(elements=buttons)]


def _unclaimed(task: TaskSnapshot, data: HomeData) -> Block:
    line = f"{_named(task, data)} · <#{task.channel_id}>{due_note(task, data.today)}"
    return SectionBlock(
        text=MarkdownTextObject(text=line),
        accessory=ButtonElement(text="I'll take it", action_id=ActionId.CLAIM, value=str(task.id)),
    )


def _waiting(data: HomeData) -> list[Block]:
    """What they posted that is still open, and who has it (or that nobody does yet): at most three blocks."""
    if not data.waiting_total:
        return []
    lines = [f"*Waiting on others* ({data.waiting_total})"]
    for task in data.waiting[:WAITING_SHOWN]:
        who = f"taken by {owners_line(task)}" if task.owners else owners_line(task)
        lines.append(f"• {_named(task, data)}{due_note(task, data.today)} · {who}")
    shown = min(len(data.waiting), WAITING_SHOWN)
    if data.waiting_total > shown:
        lines.append(f"…and {data.waiting_total - shown} more.")
    return [DividerBlock(), *sections(lines, 2)]


def _more(shown: int, total: int, command: str) -> list[Block]:
    if total <= shown:
        return []
    return [ContextBlock(elements=[MarkdownTextObject(text=f"…and {total - shown} more: `{command}`")])]


def build_home(data: HomeData) -> View:
    """The Home tab for `data.user_id`."""
    blocks: list[Block] = [HeaderBlock(text="Dibs")]
    if data.notice:
        blocks.append(section(f":information_source: {data.notice}"))
    suggestions = suggestion_blocks(data.suggestions)
    blocks += suggestions
    if not data.in_a_watched_channel and not data.mine_total and not data.finished_total and not data.waiting_total:
        blocks += [
            section(START),
            ContextBlock(elements=[MarkdownTextObject(text="`/dibs help` lists every command.")]),
        ]
        return View(type="home", blocks=blocks)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=summary_line(data))]))
    budget = LIST_BUDGET - len(suggestions)
    mine_share, unclaimed_share = share_blocks([2 * len(data.mine), len(data.unclaimed)], budget)
    mine = data.mine[: mine_share // 2]
    unclaimed = data.unclaimed[:unclaimed_share]
    blocks.append(
        section(f"*Your tasks* ({data.mine_total})" if data.mine_total else "*Your tasks*\nNothing on your plate.")
    )
    for task in mine:
        blocks += _mine(task, data)
    blocks += _more(len(mine), data.mine_total, "/dibs list mine")
    blocks += _waiting(data)
    blocks.append(DividerBlock())
    if data.unclaimed_total:
        blocks.append(section(f"*Unclaimed in your channels* ({data.unclaimed_total})"))
    else:
        blocks.append(section("*Unclaimed in your channels*\nNothing is waiting for an owner. :tada:"))
    blocks += [_unclaimed(task, data) for task in unclaimed]
    blocks += _more(len(unclaimed), data.unclaimed_total, "/dibs list unclaimed")
    if data.finished_total:
        lines = [f"*Finished this week* ({data.finished_total})"]
        lines += [f"• {_named(t, data)}" for t in data.finished[:FINISHED_SHOWN]]
        shown = min(len(data.finished), FINISHED_SHOWN)
        if data.finished_total > shown:
            lines.append(f"…and {data.finished_total - shown} more: `/dibs list all`")
        blocks += [DividerBlock(), *sections(lines, 2)]
    blocks.append(FOOTER)
    assert len(blocks) <= HOME_BLOCK_LIMIT, f"the Home tab has {len(blocks)} blocks"
    return View(type="home", blocks=blocks)

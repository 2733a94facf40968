"""Parsing `/dibs` command text into a subcommand and its arguments (no Slack, no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.settings import SettingsError, parse_duration
from bot.tasks import DibsError

SUBCOMMANDS = (
    "help",
    "watch",
    "unwatch",
    "new",
    "list",
    "claim",
    "release",
    "done",
    "assign",
    "snooze",
    "due",
    "mute",
    "unmute",
    "digest",
)
LIST_FILTERS = ("unclaimed", "mine", "all")
_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


class UsageError(DibsError):
    """The command text does not say something Dibs understands; the answer includes help."""


@dataclass(frozen=True)
class Command:
    name: str
    task_id: int | None = None
    rest: str = ""
    user: str | None = None
    kind: str = ""


def _is_date(word: str) -> bool:
    try:
        date.fromisoformat(word)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", word))


def parse_task_id(word: str, subcommand: str) -> int:
    """`12` or `#12`; anything else is a UsageError that shows the right form."""
    match = re.fullmatch(r"#?(\d{1,9})", word.strip())
    if not match:
        raise UsageError(f"`{word}` is not a task id. Write `/dibs {subcommand} 12` (ids are shown like #12).")
    return int(match.group(1))


def parse_command(text: str) -> Command:
    """Turn the text after `/dibs` into a Command, or raise UsageError saying what is wrong."""
    words = text.strip().split()
    if not words:
        return Command("help")
    name = words[0].lower()
    args = words[1:]
    if name not in SUBCOMMANDS:
        raise UsageError(f"I don't know `/dibs {words[0]}`.")
    if name in ("help", "watch", "unwatch", "mute", "unmute"):
        return Command(name)
    if name == "digest":
        if args and (len(args) > 1 or args[0].lower() != "preview"):
            raise UsageError("`/dibs digest` posts the digest here; `/dibs digest preview` shows it only to you.")
        return Command(name, rest="preview" if args else "")
    if name == "list":
        which = args[0].lower() if args else "open"
        if which not in (*LIST_FILTERS, "open") or len(args) > 1:
            raise UsageError(f"`/dibs list` takes one of {', '.join(LIST_FILTERS)}, or nothing for every open task.")
        return Command(name, rest=which)
    if name == "new":
        if len(args) < 2:
            raise UsageError("`/dibs new` needs a kind and a title, like `/dibs new event Booth at Springfield Expo`.")
        return Command(name, kind=args[0].lower(), rest=text.strip().split(maxsplit=2)[2])
    if not args:
        raise UsageError(f"`/dibs {name}` needs a task id, like `/dibs {name} 12`.")
    task_id = parse_task_id(args[0], name)
    if name == "assign":
        match = _USER.match(args[1]) if len(args) == 2 else None
        if not match:
            raise UsageError(f"Write `/dibs assign {task_id} @someone` to hand #{task_id} over.")
        return Command(name, task_id=task_id, user=match.group(1))
    if name == "done":
        if len(args) > 2:
            raise UsageError(f"`/dibs done {task_id}` takes at most one link, like `/dibs done {task_id} https://…`.")
        return Command(name, task_id=task_id, rest=args[1].strip("<>").split("|")[0] if len(args) == 2 else "")
    if name == "snooze":
        if len(args) != 2:
            raise UsageError(f"Write `/dibs snooze {task_id} 2d` to pause reminders (30m, 4h, 2d...).")
        try:
            parse_duration("snooze", args[1])
        except SettingsError:
            raise UsageError(f"`{args[1]}` is not a duration; write it like 30m, 4h or 2d.") from None
        return Command(name, task_id=task_id, rest=args[1])
    if name == "due":
        if len(args) != 2 or (args[1].lower() != "none" and not _is_date(args[1])):
            raise UsageError(f"Write `/dibs due {task_id} 2026-12-12` (year-month-day), or `none` to clear it.")
        return Command(name, task_id=task_id, rest=args[1].lower())
    if len(args) > 1:
        raise UsageError(f"`/dibs {name}` takes only a task id, like `/dibs {name} {task_id}`.")
    return Command(name, task_id=task_id)

"""The text after `/dibs`, parsed into one typed command (bot.slack.commands) per subcommand: no Slack,
no database. Text Dibs cannot understand raises `UsageError`, whose message says what was wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time

from bot.settings import SettingsError, parse_duration
from bot.settings.workspace import KEYS, setting_key
from bot.slack import commands as cmd
from bot.slack.commands import Command, UsageError
from bot.slack.payloads import clean_text
from bot.slack.text import escape, unescape

LIST_FILTERS = ("unclaimed", "mine", "all")
_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_GROUP = re.compile(r"^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>$")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,30}")


def parse_task_id(word: str, subcommand: str) -> int:
    """`12` or `#12`; anything else is a UsageError that shows the right form."""
    match = re.fullmatch(r"#?(\d{1,9})", word.strip())
    if not match:
        raise UsageError(f"`{escape(word)}` is not a task id. Write `/dibs {subcommand} 12` (ids are shown like #12).")
    return int(match.group(1))


def _iso_date(word: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        return None
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None


def _digest(args: list[str], text: str) -> Command:
    if args and (len(args) > 1 or args[0].lower() != "preview"):
        raise UsageError("`/dibs digest` posts the digest here; `/dibs digest preview` shows it only to you.")
    return cmd.Digest(preview=bool(args))


def _list(args: list[str], text: str) -> Command:
    words = [a.lower() for a in args]
    which = words.pop(0) if words and words[0] in (*LIST_FILTERS, "open") else "open"
    kind = words.pop(0) if words and _KIND.fullmatch(words[0]) and words[0] not in (*LIST_FILTERS, "open") else None
    if words:
        raise UsageError(
            f"`/dibs list` takes one of {', '.join(LIST_FILTERS)} (or nothing for every open task), then a kind if you "
            "like: `/dibs list unclaimed event`."
        )
    return cmd.ListTasks(filter=which, kind=kind)  # type: ignore[arg-type]


PERIODS = {"7d": 7, "30d": 30, "90d": 90}


def _stats(args: list[str], text: str) -> Command:
    words = {a.lower() for a in args}
    periods = words & set(PERIODS)
    if len(periods) > 1 or words - periods - {"all"} or len(args) > 2:
        raise UsageError("Write `/dibs stats` (this channel, 30 days), `/dibs stats 7d`, `90d`, or add `all`.")
    return cmd.Stats(days=PERIODS[periods.pop()] if periods else 30, everywhere="all" in words)


def _export(args: list[str], text: str) -> Command:
    words = {a.lower() for a in args}
    periods = words & {*PERIODS, "all"}
    if len(periods) > 1 or words - periods - {"here"} or len(args) > 2:
        raise UsageError(
            "Write `/dibs export` (30 days), `/dibs export 7d`, `90d` or `all`; add `here` for this channel only."
        )
    period = periods.pop() if periods else "30d"
    return cmd.Export(days=PERIODS.get(period), here_only="here" in words)


def _feed(args: list[str], text: str) -> Command:
    action = args[0].lower() if args else ""
    if action not in ("add", "remove") or len(args) < 2 or len(args) > (3 if action == "add" else 2):
        raise UsageError("Write `/dibs feed add URL [KIND]` or `/dibs feed remove URL`; `/dibs feeds` lists them.")
    url = proof_from(args[1]) or ""
    if action == "remove":
        return cmd.RemoveFeed(url)
    return cmd.AddFeed(url, args[2].lower()) if len(args) == 3 else cmd.AddFeed(url)


def _route(args: list[str], text: str) -> Command:
    group = _GROUP.match(args[1]) if len(args) == 2 else None
    if len(args) != 2 or not _KIND.fullmatch(args[0].lower()) or (group is None and args[1].lower() != "none"):
        raise UsageError("Write `/dibs route KIND @group` (a user group), or `/dibs route KIND none` to clear it.")
    return cmd.Route(args[0].lower(), group.group(1) if group else None)


def _settings(args: list[str], text: str) -> Command:
    if not args:
        return cmd.ShowSettings()
    try:
        key = setting_key(args[0])
    except SettingsError as error:
        raise UsageError(f"{escape(str(error))}.") from None
    if len(args) < 2:
        raise UsageError(f"Write `/dibs settings {key} VALUE` ({KEYS[key]}), or `default` for the settings file's.")
    value = clean_text(unescape(text.strip().split(maxsplit=2)[2])).strip().strip("\"'“”‘’").strip()
    return cmd.ChangeSetting(key, None if value.lower() == "default" else value)


def _gift(task_id: int, rest: list[str]) -> Command:
    if not rest:
        return cmd.Gifts(task_id)
    state = rest[0].lower()
    if state not in ("delivered", "missed") or len(rest) < 2:
        raise UsageError(f"Write `/dibs gift {task_id} delivered NAME` or `/dibs gift {task_id} missed NAME`.")
    return cmd.MarkGift(task_id, state, clean_text(unescape(" ".join(rest[1:]))))


def _new(args: list[str], text: str) -> Command:
    if len(args) < 2:
        raise UsageError("`/dibs new` needs a kind and a title, like `/dibs new event Booth at Springfield Expo`.")
    return cmd.NewTask(kind=args[0].lower(), title=text.strip().split(maxsplit=2)[2])


def _only_id(name: str, make: Callable[[int], Command]) -> Callable[[int, list[str]], Command]:
    def parse(task_id: int, rest: list[str]) -> Command:
        if rest:
            raise UsageError(f"`/dibs {name}` takes only a task id, like `/dibs {name} {task_id}`.")
        return make(task_id)

    return parse


_LINK_MARKUP = re.compile(r"<(https?://[^|>]+)(?:\|[^>]*)?>")


def proof_from(word: str) -> str | None:
    """Proof as typed: the address of a link Slack marked up, else the word as the person meant it
    (stored plain; shown escaped, so `<!channel>` typed as proof pings nobody)."""
    link = _LINK_MARKUP.fullmatch(word)
    return clean_text(unescape(link.group(1)) if link else unescape(word)) or None


def _assign(task_id: int, rest: list[str]) -> Command:
    match = _USER.match(rest[0]) if len(rest) == 1 else None
    if not match:
        raise UsageError(f"Write `/dibs assign {task_id} @someone` to hand #{task_id} over.")
    return cmd.Assign(task_id, match.group(1))


def _claim(task_id: int, rest: list[str]) -> Command:
    if len(rest) > 1 or (rest and not _KIND.fullmatch(rest[0].lower())):
        raise UsageError(f"Write `/dibs claim {task_id}`, or `/dibs claim {task_id} ROLE` for an event's role.")
    return cmd.Claim(task_id, rest[0].lower() if rest else None)


def _roles(task_id: int, rest: list[str]) -> Command:
    counts = []
    for word in rest:
        found = re.fullmatch(r"([a-z][a-z0-9_]{0,20})=(\d{1,2})", word.lower())
        if found is None:
            raise UsageError(f"Write `/dibs roles {task_id} staff=3 lead=1`: each role and how many seats it has.")
        counts.append((found.group(1), int(found.group(2))))
    if not counts:
        raise UsageError(f"Write `/dibs roles {task_id} staff=3 lead=1`: each role and how many seats it has.")
    return cmd.Roles(task_id, tuple(counts))


def _hours(word: str) -> tuple[time, time] | None:
    found = re.fullmatch(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", word)
    if found is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h2, m2) <= (h1, m1):
        return None
    return time(h1, m1), time(h2, m2)


def _when(task_id: int, rest: list[str], text: str) -> Command:
    day = _iso_date(rest[0]) if rest else None
    hours = _hours(rest[1]) if len(rest) > 1 else None
    after = rest[2:] if hours else rest[1:]
    if day is None or (len(rest) > 1 and hours is None and rest[1].lower() != "at") or (after and after[0] != "at"):
        raise UsageError(
            f"Write `/dibs when {task_id} 2026-12-12 09:00-17:00 at Hall 3` (the hours and the place are optional)."
        )
    place = text.split(" at ", 1)[1].strip() if after else None
    return cmd.When(task_id, day, hours, clean_text(unescape(place)) if place else None)


def _swap(task_id: int, rest: list[str]) -> Command:
    found = [_USER.match(word) for word in rest]
    if not 1 <= len(rest) <= 2 or not all(found):
        raise UsageError(
            f"Write `/dibs swap {task_id} @someone` to ask someone to take your seat "
            f"(or `/dibs swap {task_id} @from @to` to move a seat, if you posted it or are a Dibs admin)."
        )
    users = [m.group(1) for m in found if m]
    return cmd.Swap(task_id, users[-1], users[0] if len(users) == 2 else None)


def _done(task_id: int, rest: list[str]) -> Command:
    if len(rest) > 1:
        raise UsageError(f"`/dibs done {task_id}` takes at most one link, like `/dibs done {task_id} https://…`.")
    return cmd.Done(task_id, proof_from(rest[0]) if rest else None)


def _snooze(task_id: int, rest: list[str]) -> Command:
    if len(rest) != 1:
        raise UsageError(f"Write `/dibs snooze {task_id} 2d` to pause reminders (30m, 4h, 2d...).")
    try:
        return cmd.Snooze(task_id, parse_duration("snooze", rest[0]))
    except SettingsError:
        raise UsageError(f"`{rest[0]}` is not a duration; write it like 30m, 4h or 2d.") from None


def _due(task_id: int, rest: list[str]) -> Command:
    word = rest[0].lower() if len(rest) == 1 else ""
    due_on = _iso_date(word)
    if word != "none" and due_on is None:
        raise UsageError(f"Write `/dibs due {task_id} 2026-12-12` (year-month-day), or `none` to clear it.")
    return cmd.SetDue(task_id, due_on)


# Subcommands without a task id: the words after the name (and the whole text) -> the command.
_PLAIN: dict[str, Callable[[list[str], str], Command]] = {
    "help": lambda args, text: cmd.Help(),
    "watch": lambda args, text: cmd.Watch(),
    "unwatch": lambda args, text: cmd.Unwatch(),
    "new": _new,
    "list": _list,
    "mute": lambda args, text: cmd.Mute(muted=True),
    "unmute": lambda args, text: cmd.Mute(muted=False),
    "digest": _digest,
    "feeds": lambda args, text: cmd.ListFeeds(),
    "feed": _feed,
    "route": _route,
    "stats": _stats,
    "export": _export,
    "settings": _settings,
}
# Subcommands that start with a task id: the id and the words after it -> the command.
_ON_TASK: dict[str, Callable[[int, list[str]], Command]] = {
    "claim": _claim,
    "roles": _roles,
    "swap": _swap,
    "release": _only_id("release", cmd.Release),
    "done": _done,
    "assign": _assign,
    "snooze": _snooze,
    "due": _due,
    "gift": _gift,
}
# In the order `/dibs help` lists them.
SUBCOMMANDS = ("help", "watch", "unwatch", "new", "list", "claim", "release", "done", "assign", "swap", "snooze",
               "due", "when", "roles", "mute", "unmute", "digest", "stats", "export", "feeds", "feed", "route",
               "settings", "gift")  # fmt: skip


def parse_command(text: str) -> Command:
    """Turn the text after `/dibs` into a Command, or raise UsageError saying what is wrong."""
    words = text.strip().split()
    if not words:
        return cmd.Help()
    name, args = words[0].lower(), words[1:]
    if name in _PLAIN:
        return _PLAIN[name](args, text)
    if name not in _ON_TASK and name != "when":
        raise UsageError(f"I don't know `/dibs {escape(words[0])}`.")
    if not args:
        raise UsageError(f"`/dibs {name}` needs a task id, like `/dibs {name} 12`.")
    if name == "when":  # the place is the rest of the text, spaces and all
        return _when(parse_task_id(args[0], name), args[1:], text)
    return _ON_TASK[name](parse_task_id(args[0], name), args[1:])

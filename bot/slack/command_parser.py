"""The text after `/dibs`, parsed into one typed command (bot.slack.commands) per subcommand: no Slack,
no database. Text Dibs cannot understand raises `UsageError`, whose message says what was wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import get_close_matches

from bot.settings import SettingsError, parse_duration
from bot.settings.workspace import KEYS, setting_key
from bot.slack import commands as cmd
from bot.slack.calendar_commands import parse_calendar
from bot.slack.commands import Command, UsageError
from bot.slack.date_commands import parse_due, parse_when
from bot.slack.payloads import blank, clean_text
from bot.slack.text import escape, quoted, read_link, unescape

LIST_FILTERS = ("unclaimed", "mine", "all")
# Slack's ids: U/W (people) or S (user groups) and up to 20 capitals and digits (Slack's own are 9 to 12 long).
_USER = re.compile(r"^<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>$")
_GROUP = re.compile(r"^<!subteam\^(S[A-Z0-9]{1,20})(?:\|[^>]*)?>$")
_KIND = re.compile(r"[a-z][a-z0-9_-]{0,40}")  # a kind's key or its label without spaces (`blog-comment`)
_ROLE = re.compile(r"[a-z][a-z0-9_]{0,30}")
_BATCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}")  # a gift platform's batch or campaign id


def parse_task_id(word: str, subcommand: str) -> int:
    """`12` or `#12`; anything else is a UsageError that shows the right form."""
    match = re.fullmatch(r"#?(\d{1,9})", word.strip())
    if not match:
        raise UsageError(f"`{quoted(word)}` is not a task id: write `/dibs {subcommand} 12` (ids are shown like #12).")
    return int(match.group(1))


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
    if len(periods) > 1 or words - periods - {"all", "detail"} or len(args) > 3:
        raise UsageError(
            "Write `/dibs stats` (this channel, 30 days), `/dibs stats 7d`, `90d`, or add `all`; "
            "`detail` shows every number."
        )
    days = PERIODS[periods.pop()] if periods else 30
    return cmd.Stats(days=days, everywhere="all" in words, detail="detail" in words)


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
    if action not in ("add", "remove") or len(args) < 2 or len(args) > (6 if action == "add" else 2):
        raise UsageError("Write `/dibs feed add URL [KIND]` or `/dibs feed remove URL`; `/dibs feeds` lists them.")
    url = proof_from(args[1]) or ""
    if action == "remove":
        return cmd.RemoveFeed(url)
    return cmd.AddFeed(url, " ".join(args[2:])) if len(args) > 2 else cmd.AddFeed(url)  # the kind's key or label


def _route(args: list[str], text: str) -> Command:
    claimers = len(args) > 2 and args[-1].lower() == "claimers"  # `/dibs route KIND @group claimers`
    args = args[:-1] if claimers else args
    fits = 2 <= len(args) <= 5  # the kind (its key, or its label's words), then the group
    group = _GROUP.match(args[-1]) if fits else None
    if not fits or not _KIND.fullmatch(args[0].lower()) or (group is None and args[-1].lower() not in ("none", "off")):
        raise UsageError(
            "Write `/dibs route KIND @group` (a user group), or `/dibs route KIND none` to clear it; "
            "`claimers` at the end sets who may claim its tasks."
        )
    return cmd.Route(" ".join(args[:-1]), group.group(1) if group else None, claimers)


def _settings(args: list[str], text: str) -> Command:
    if not args:
        return cmd.ShowSettings()
    if args[0].lower() in ("phrase", "dismiss"):
        return _phrase(args, text)
    try:
        key = setting_key(args[0][:41])  # quoted in the answer: a word that long is no key
    except SettingsError as error:
        raise UsageError(f"{escape(str(error))}.") from None
    if len(args) < 2:
        raise UsageError(f"Write `/dibs settings {key} VALUE` ({KEYS[key]}), or `default` for the settings file's.")
    value = clean_text(unescape(text.strip().split(maxsplit=2)[2])).strip().strip("\"'“”‘’").strip()
    return cmd.ChangeSetting(key, None if value.lower() == "default" else value)


def _phrase(args: list[str], text: str) -> Command:
    """`/dibs settings phrase KIND "words"` adds a phrase to a kind here; `dismiss` stops suggesting it."""
    verb = args[0].lower()
    if len(args) < 3:
        raise UsageError(f'Write `/dibs settings {verb} KIND "words"`, like `/dibs settings {verb} blog_comment'
                         ' "left a comment"`.')  # fmt: skip
    words = clean_text(unescape(text.strip().split(maxsplit=3)[3])).strip().strip("\"'“”‘’").strip()
    return cmd.KindPhrase(kind=args[1].lower(), words=words, add=verb == "phrase")


def _gift(task_id: int, rest: list[str]) -> Command:
    if not rest:
        return cmd.Gifts(task_id)
    state = rest[0].lower()
    if state == "link":
        source, _, batch = unescape(" ".join(rest[1:])).partition(":")
        if source.lower() not in ("goody", "sendoso") or not _BATCH.fullmatch(batch):
            raise UsageError(f"Write `/dibs gift {task_id} link goody:BATCH_ID` or `sendoso:CAMPAIGN_ID`.")
        return cmd.LinkGifts(task_id, source.lower(), batch)
    if state not in ("delivered", "missed") or len(rest) < 2:
        raise UsageError(f"Write `/dibs gift {task_id} delivered NAME` or `/dibs gift {task_id} missed NAME`.")
    return cmd.MarkGift(task_id, state, clean_text(unescape(" ".join(rest[1:]))))


def _new(args: list[str], text: str) -> Command:
    title = text.strip().split(maxsplit=2)[2] if len(args) >= 2 else ""
    if blank(title):
        raise UsageError("`/dibs new` needs a kind and a title, like `/dibs new event Booth at Springfield Expo`.")
    return cmd.NewTask(kind=args[0].lower(), title=title)


def _only_id(name: str, make: Callable[[int], Command]) -> Callable[[int, list[str]], Command]:
    def parse(task_id: int, rest: list[str]) -> Command:
        if rest:
            raise UsageError(f"`/dibs {name}` takes only a task id, like `/dibs {name} {task_id}`.")
        return make(task_id)

    return parse


def proof_from(word: str) -> str | None:
    """Proof as typed: the address of a link Slack marked up, else the word as the person meant it
    (stored plain; shown escaped, so `<!channel>` typed as proof pings nobody)."""
    return read_link(word) or None


def _assign(task_id: int, rest: list[str]) -> Command:
    match = _USER.match(rest[0]) if len(rest) == 1 else None
    if not match:
        raise UsageError(f"Write `/dibs assign {task_id} @someone` to hand #{task_id} over.")
    return cmd.Assign(task_id, match.group(1))


def _claim(task_id: int, rest: list[str]) -> Command:
    if len(rest) > 1 or (rest and not _ROLE.fullmatch(rest[0].lower())):
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
        raise UsageError(
            f"`{quoted(rest[0])}` is not a duration: write `/dibs snooze {task_id} 2d` (or 30m, 4h)."
        ) from None


# Subcommands without a task id: the words after the name (and the whole text) -> the command.
_PLAIN: dict[str, Callable[[list[str], str], Command]] = {
    "help": lambda args, text: cmd.Help(all=bool(args) and args[0].lower() == "all"),
    "watch": lambda args, text: cmd.Watch(),
    "unwatch": lambda args, text: cmd.Unwatch(),
    "new": _new,
    "list": _list,
    "mute": lambda args, text: cmd.Mute(muted=True),
    "unmute": lambda args, text: cmd.Mute(muted=False),
    "digest": _digest,
    "feeds": lambda args, text: cmd.ListFeeds(),
    "feed": _feed,
    "calendars": lambda args, text: parse_calendar(["list", *args], text),
    "calendar": parse_calendar,
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
    "gift": _gift,
}
# Subcommands that start with a task id and read the whole text after it.
_WITH_TEXT: dict[str, Callable[[int, str], Command]] = {"due": parse_due, "when": parse_when}
# In the order `/dibs help` lists them.
SUBCOMMANDS = ("help", "watch", "unwatch", "new", "list", "claim", "release", "done", "assign", "swap", "snooze",
               "due", "when", "roles", "mute", "unmute", "digest", "stats", "export", "feeds", "feed", "calendars",
               "calendar", "route", "settings", "gift")  # fmt: skip


def unknown_subcommand(word: str) -> str:
    """`I don't know /dibs clam. Did you mean /dibs claim?`, or where to look when nothing is close."""
    close = get_close_matches(word.lower(), SUBCOMMANDS, n=1, cutoff=0.7)
    hint = f"Did you mean `/dibs {close[0]}`?" if close else "`/dibs help` shows what I can do."
    return f"I don't know `/dibs {quoted(word)}`. {hint}"


def parse_command(text: str) -> Command:
    """Turn the text after `/dibs` into a Command, or raise UsageError saying what is wrong."""
    words = text.strip().split()
    if not words:
        return cmd.Help()
    name, args = words[0].lower(), words[1:]
    if name in _PLAIN:
        return _PLAIN[name](args, text)
    if name not in _ON_TASK and name not in _WITH_TEXT:
        raise UsageError(unknown_subcommand(words[0]))
    if not args:
        raise UsageError(f"`/dibs {name}` needs a task id, like `/dibs {name} 12`.")
    if name in _WITH_TEXT:  # dates, hours and places are read from the text, spaces and all
        return _WITH_TEXT[name](parse_task_id(args[0], name), text)
    return _ON_TASK[name](parse_task_id(args[0], name), args[1:])

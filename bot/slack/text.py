"""Slack mrkdwn text helpers: escaping what people typed, mentions, links, ages and durations.

The one rule for text a person typed (titles, proof, names, reasons): it is stored as plain text
and escaped where it is shown, with `escape`. Slack reads `<…>` as a mention, a broadcast or a
link, so once `<` and `>` are escaped nothing typed can ping anyone or pose as a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from bot.slack.payloads import clean_text

_WEB_LINK = re.compile(r"https?://[^\s<>|]+")


def escape(text: str) -> str:
    """Text a person typed, made safe to show in mrkdwn or `text`: Slack's `&`, `<`, `>` escapes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoted(word: str, limit: int = 40) -> str:
    """What someone typed, escaped, to quote in an answer: its first `limit` characters (and … if it goes on)."""
    return escape(word[:limit]) + ("…" if len(word) > limit else "")


def unescape(text: str) -> str:
    """Slack's escapes undone: how a person meant text that Slack sent escaped."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def read_link(word: str, schemes: str = "https?") -> str:
    """A word as the person meant it: the address of a link Slack marked up (`<https://…|label>`, its scheme
    matching the pattern `schemes`), else the word itself; unescaped, without control characters."""
    link = re.fullmatch(rf"<((?:{schemes})://[^|>]+)(?:\|[^>]*)?>", word)
    return clean_text(unescape(link.group(1) if link else word))


def is_web_link(text: str) -> bool:
    """An http(s) address with nothing Slack would read as markup: the only proof shown as a link."""
    return _WEB_LINK.fullmatch(text) is not None


def proof(text: str) -> str:
    """Proof of done as shown: a link when it is an http(s) address, else plain escaped text."""
    return f"<{escape(text)}>" if is_web_link(text) else escape(text)


def is_person(user_id: str) -> bool:
    """A Slack member id (U… or, in Enterprise Grid, W…): not a feed, a calendar, a webhook, a bot or a group."""
    return user_id[:1] in ("U", "W")


def mention(user_id: str) -> str:
    """`<@U123>`: how Slack shows (and notifies) a person."""
    return f"<@{user_id}>"


def already_holds(user_id: str, actor: str | None, task_id: int) -> str:
    """`You already hold a seat on #4.` to the actor themselves, `<@U…> already holds a seat on #4.` otherwise."""
    if user_id == actor:
        return f"You already hold a seat on #{task_id}."
    return f"{mention(user_id)} already holds a seat on #{task_id}."


MOST_NAMED = 10  # people a message names in one list; the rest are counted ("and 488 more")


def people(user_ids: Sequence[str], most: int = MOST_NAMED) -> str:
    """Mentions of several people, comma-separated; past `most`, how many more (a 500-strong waitlist still
    fits a Block Kit section and pings nobody it does not name)."""
    return named([mention(u) for u in user_ids], most)


def named(names: Sequence[str], most: int = MOST_NAMED) -> str:
    """`a, b, c` or, past `most`, `a, b, c and 12 more`."""
    shown = ", ".join(names[:most])
    return f"{shown} and {len(names) - most:,} more" if len(names) > most else shown


def _nearest(value: float) -> int:
    """A non-negative number rounded to the nearest whole one, halves up (Python's round goes to even)."""
    return int(value + 0.5)


def age(since: datetime, now: datetime) -> str:
    """A short age in one unit, rounded to the nearest: `5m`, `3h`, `2d` (31 hours is `1d`, 36 hours `2d`),
    or `just now` under a minute. A whole hour or day is read from the rounded value, so 59m 40s is `1h`."""
    seconds = max((now - since).total_seconds(), 0)
    if seconds < 60:
        return "just now"
    if (minutes := _nearest(seconds / 60)) < 60:
        return f"{minutes}m"
    if (hours := _nearest(seconds / 3600)) < 24:
        return f"{hours}h"
    return f"{_nearest(seconds / 86400)}d"


def format_duration(duration: timedelta) -> str:
    """A compact duration in its two largest units, the smaller rounded to the nearest: `45m`, `3h 20m`,
    `1d 7h`; under half a minute is `<1m`. It agrees with `age` on the larger unit up to rounding (age rounds
    the whole duration to one unit: `1d 7h` is `1d` there)."""
    seconds = max(duration.total_seconds(), 0)
    minutes = _nearest(seconds / 60)
    if minutes < 1:
        return "<1m"
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"{hours}h {minutes}m" if minutes else f"{hours}h"
        return f"{minutes}m"
    days, hours = divmod(_nearest(seconds / 3600), 24)
    return f"{days}d {hours}h" if hours else f"{days}d"


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 seat`, `2 seats`, `0 seats` (`words`: the plural when it is not `word` + s, like `people`)."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


SENTENCE_ENDS = (".", "?", "!", "…")


def ends_sentence(text: str) -> bool:
    """Whether `text` (a title, say) already ends with . ? ! or …, so no period follows it."""
    return text.rstrip().endswith(SENTENCE_ENDS)


def then(title: str, shown: str, mark: str = ".") -> str:
    """`shown` (the title as displayed: escaped, maybe linked) followed by `mark`, unless the plain `title`
    already ends a sentence: `…who can staff it?` takes no period after it."""
    return shown if mark == "." and ends_sentence(title) else shown + mark


_FORMATTING = re.compile(r"(?<![\w])([*_~`])(?=\S)(.+?)(?<=\S)\1(?![\w])")


def plain(text: str) -> str:
    """Text without Slack's formatting marks around words: `*bold*`, `_italic_`, `~strike~`, `` `code` ``
    (a title shows as one piece of text; escaping stays the job of `escape`)."""
    previous = None
    while previous != text:
        previous, text = text, _FORMATTING.sub(r"\2", text)
    return text


_NOT_A_WORD = re.compile(r"[\W_]+")


def _padded(text: str) -> str:
    """Lower case, anything but letters and digits as one space, a space each side: `OOO, back Mon` holds ` ooo `,
    `Out-of-office` holds ` out of office `."""
    return " " + _NOT_A_WORD.sub(" ", text.lower()).strip() + " "


def has_any_word(text: str, words: Iterable[str]) -> bool:
    """Whether `text` holds one of `words` (or phrases) as whole words, in any case."""
    padded = _padded(text)
    return any(_padded(word) in padded for word in words if _padded(word).strip())

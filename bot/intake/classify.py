"""Which kind of follow-up a marketing post is, if any, and the title its task gets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache

from bot.settings import Kind
from bot.slack.payloads import clean_text
from bot.slack.text import unescape

TITLE_LIMIT = 150


@lru_cache(maxsize=256)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    # Whole words only: "events" is not "event", "gifted" is not "gift". Phrases match across any spacing.
    alternatives = (r"\s+".join(re.escape(part) for part in word.split()) for word in keywords)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def plain_text(text: str) -> str:
    """Slack mrkdwn to plain words: `<url|label>` becomes label, mentions and links are dropped, and
    Slack's `&lt;` `&gt;` `&amp;` become what the person typed (titles are stored plain, escaped when shown)."""
    text = re.sub(r"<(?:https?|mailto):[^|>]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<[^>]*>", " ", text)
    return unescape(re.sub(r"[ \t]+", " ", text).strip())


def classify(text: str, kinds: Mapping[str, Kind] | Iterable[Kind]) -> Kind | None:
    """The kind with the most keyword hits in `text` (first listed wins a tie), or None."""
    words = plain_text(text)
    best: Kind | None = None
    best_hits = 0
    for kind in kinds.values() if isinstance(kinds, Mapping) else kinds:
        hits = len(_keyword_pattern(kind.keywords).findall(words))
        if hits > best_hits:
            best, best_hits = kind, hits
    return best


def title_from(text: str) -> str:
    """A one-line title for a task: the post's first non-empty line, shortened at a word."""
    line = next((ln.strip() for ln in clean_text(plain_text(text)).splitlines() if ln.strip()), "") or "(no text)"
    if len(line) <= TITLE_LIMIT:
        return line
    return line[: TITLE_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def date_in(text: str) -> date | None:
    """The first ISO date (2026-12-12) in a text: `/dibs new event Booth 2026-12-12` is due that day."""
    for match in re.finditer(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)", text):
        try:
            return date.fromisoformat(match.group(1))
        except ValueError:
            continue
    return None

"""Which kind of follow-up a marketing post is, if any, and the title its task gets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from bot.intake.match import best_kind, explain
from bot.settings import Kind, Settings
from bot.slack import dates
from bot.slack.payloads import blank, clean_text
from bot.slack.text import unescape

TITLE_LIMIT = 150


def plain_text(text: str) -> str:
    """Slack mrkdwn to plain words: `<url|label>` becomes label, mentions and links are dropped, and
    Slack's `&lt;` `&gt;` `&amp;` become what the person typed (titles are stored plain, escaped when shown)."""
    text = re.sub(r"<(?:https?|mailto):[^|>]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<[^>]*>", " ", text)
    return unescape(re.sub(r"[ \t]+", " ", text).strip())


def classify(text: str, kinds: Mapping[str, Kind] | Iterable[Kind]) -> Kind | None:
    """The kind with the most keyword and phrase hits in `text`, in any word form (first listed wins a tie),
    or None. `explain` says which hits."""
    listed = list(kinds.values() if isinstance(kinds, Mapping) else kinds)
    return best_kind(explain(plain_text(text), listed), listed)


def title_from(text: str) -> str:
    """A one-line title for a task: the post's first non-empty line, shortened at a word."""
    line = next((ln.strip() for ln in clean_text(plain_text(text)).splitlines() if not blank(ln)), "") or "(no text)"
    if len(line) <= TITLE_LIMIT:
        return line
    return line[: TITLE_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def date_in(text: str, now: datetime, settings: Settings) -> date | None:
    """The first day a post names, as the workspace reads it at `now` (its time zone and date order): `Jan 20`,
    `next Friday`, `on 1/20`, `2026-12-12` (see `bot.slack.dates`). `/dibs new event Booth Jan 20` is due then."""
    return dates.date_in(plain_text(text), now, settings.tz, settings.date_order)

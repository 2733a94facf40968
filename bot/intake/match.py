"""What in a post matched which kind: its keywords and phrases, each in any of its word forms.

`explain` is what `classify` decides by (and what `dibs classify` shows): the post's words are stemmed once,
each kind's keywords and phrases are compiled once per kind (cached), and every hit says which keyword or
phrase it was and the words of the post it matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.intake.stems import stem_phrase, stemmed
from bot.settings import Kind


@dataclass(frozen=True)
class Match:
    """One hit in a post: the kind, the keyword or phrase as the settings write it, the post's words."""

    kind: Kind
    term: str  # as the settings write it: "comment", "left a comment"
    found: str  # the post's words it matched: "commented", "left a Comment"
    phrase: bool  # a phrase (`phrases:`), not a keyword


@lru_cache(maxsize=512)
def _pattern(terms: tuple[str, ...]) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """One pattern for the stemmed `terms` (a group each, longest first) and the term each group is."""
    if not terms:
        return None
    by_stem: dict[str, str] = {}
    for term in terms:
        by_stem.setdefault(stem_phrase(term), term)
    ordered = sorted(by_stem, key=len, reverse=True)  # "blog comment" before "comment"
    # Whole words only: "Boothe" is not "booth". A phrase matches across any spacing.
    alternatives = ("(" + r"\s+".join(re.escape(part) for part in stem.split()) + ")" for stem in ordered)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
    return pattern, tuple(by_stem[stem] for stem in ordered)


def explain(text: str, kinds: Mapping[str, Kind] | Iterable[Kind]) -> list[Match]:
    """Every keyword and phrase hit in plain `text` (see `plain_text`), kind by kind in the settings' order.

    A phrase and a keyword inside it both count ("left a comment" is two hits for blog_comment); a keyword
    repeated counts each time."""
    words = stemmed(text)
    found: list[Match] = []
    for kind in kinds.values() if isinstance(kinds, Mapping) else kinds:
        for terms, phrase in ((kind.keywords, False), (kind.phrases, True)):
            compiled = _pattern(terms)
            if compiled is None:
                continue
            pattern, names = compiled
            for hit in pattern.finditer(words.text):
                assert hit.lastindex is not None
                found.append(Match(kind, names[hit.lastindex - 1], words.source(*hit.span()), phrase))
    return found


def best_kind(matches: Iterable[Match], kinds: Mapping[str, Kind] | Iterable[Kind]) -> Kind | None:
    """The kind with the most hits (the first listed wins a tie), or None."""
    hits: dict[str, int] = {}
    for match in matches:
        hits[match.kind.name] = hits.get(match.kind.name, 0) + 1
    best: Kind | None = None
    for kind in kinds.values() if isinstance(kinds, Mapping) else kinds:
        if hits.get(kind.name, 0) > (hits[best.name] if best else 0):
            best = kind
    return best

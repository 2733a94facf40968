"""Word forms: `comments`, `commented` and `commenting` are all `comment`.

A light stemmer: Porter's first step only (plurals, -ed, -ing, a final y), the inflections. Porter's later
steps (and Snowball's English stemmer, which has them too) also cut derivations, so "eventful" would be
"event", "conferred" "conference" and the name "Boothe" "booth": in ordinary chatter that is a task nobody
meant. Pure and cached: a post's words are stemmed once, a word seen before costs a dictionary look-up.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

WORD = re.compile(r"\w+")
_VOWELS = frozenset("aeiou")


def _consonant(word: str, i: int) -> bool:
    if word[i] in _VOWELS:
        return False
    if word[i] == "y":
        return i == 0 or not _consonant(word, i - 1)
    return True


def _measure(stem: str) -> int:
    """Porter's m: how many vowel-consonant sequences the stem has."""
    forms = "".join("c" if _consonant(stem, i) else "v" for i in range(len(stem)))
    return len(re.findall(r"v+c+", forms))


def _has_vowel(stem: str) -> bool:
    return any(not _consonant(stem, i) for i in range(len(stem)))


def _short_syllable(stem: str) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y (hop, lik-): `liked` is `like`, not `lik`."""
    n = len(stem)
    return (
        n >= 3
        and _consonant(stem, n - 3)
        and not _consonant(stem, n - 2)
        and _consonant(stem, n - 1)
        and stem[-1] not in "wxy"
    )


def _after_ed_or_ing(stem: str) -> str:
    if stem.endswith(("at", "bl", "iz")):
        return stem + "e"
    if len(stem) >= 2 and stem[-1] == stem[-2] and _consonant(stem, len(stem) - 1) and stem[-1] not in "lsz":
        return stem[:-1]
    if _measure(stem) == 1 and _short_syllable(stem):
        return stem + "e"
    return stem


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The word's stem, lower case: `Comments` → `comment`, `gifting` → `gift`, `replies` → `repli`."""
    word = word.lower()
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("sses", "ies")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
    else:
        for suffix in ("ed", "ing"):
            if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
                word = _after_ed_or_ing(word[: -len(suffix)])
                break
    if word.endswith("y") and len(word) > 2 and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    return word


@dataclass(frozen=True)
class Stemmed:
    """A text with every word replaced by its stem, and where each piece of it came from in the text."""

    text: str  # the stems, with everything between the words as it was
    original: str
    starts: tuple[int, ...]  # where each word or gap starts in `text`
    origins: tuple[int, ...]  # ... and in `original`

    def source(self, start: int, end: int) -> str:
        """The words of the original text that the stemmed span [start, end) stands for."""
        return self.original[self._origin(start, False) : self._origin(end, True)]

    def _origin(self, at: int, end: bool) -> int:
        i = bisect_right(self.starts, at - 1 if end else at) - 1
        piece_start, origin = self.starts[i], self.origins[i]
        following = self.origins[i + 1] if i + 1 < len(self.origins) else len(self.original)
        next_start = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        if following - origin == next_start - piece_start:  # a gap (or a word its stem did not change)
            return origin + (at - piece_start)
        return following if end else origin  # a word whose stem is shorter: the whole word


def stemmed(text: str) -> Stemmed:
    """`text` with each word stemmed once (see `stem`)."""
    parts: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    at = last = 0
    for match in WORD.finditer(text):
        if match.start() > last:
            starts.append(at)
            origins.append(last)
            parts.append(text[last : match.start()])
            at += match.start() - last
        word = stem(match.group())
        starts.append(at)
        origins.append(match.start())
        parts.append(word)
        at += len(word)
        last = match.end()
    if last < len(text):
        starts.append(at)
        origins.append(last)
        parts.append(text[last:])
    return Stemmed("".join(parts), text, tuple(starts), tuple(origins))


def stem_phrase(phrase: str) -> str:
    """A keyword or phrase as the classifier compares it: each word stemmed, spaces made single."""
    return " ".join(stemmed(phrase).text.split())

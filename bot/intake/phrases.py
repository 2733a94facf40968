"""The phrases that set a post apart: what Dibs remembers of a post someone tracked by hand because it matched
no kind, so that a phrase such posts share can be suggested as the kind's (`bot.installs.phrases`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.intake.classify import plain_text
from bot.intake.stems import stem_phrase
from bot.settings import Kind, Settings
from bot.settings.labels import kind_label
from store.queries.phrases import often_tracked

AT_LEAST = 3  # hand-tracked posts of one kind with the phrase, for a suggestion
WITHIN = timedelta(days=30)
SHOWN = 5  # suggestions at a time
MOST = 40  # phrases remembered of one post
LONGEST = 60  # characters of a phrase
# Words a phrase may hold but not begin or end with: "left a comment", not "a comment" or "comment on".
_STOP_TEXT = """a about above after again all am an and any are as at be been before being below between both but by can
    could did do does doing down during each few for from further had has have having he her here hers him his how
    i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their them then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you your yours
    hi hey hello thanks thank please pls team folks everyone anyone someone somebody here's it's i'm we're let's
    also just really get got"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def candidates(text: str, sizes: Iterable[int] = (2, 3)) -> list[tuple[str, str]]:
    """The 2- and 3-word phrases of a post's plain text, line by line and clause by clause, that neither begin nor
    end with a stop word: (stemmed, as written in lower case), each once, at most `MOST`."""
    found: dict[str, str] = {}
    for clause in re.split(r"[\n.,;:!?()\[\]\"“”]+", plain_text(text)):
        words = [w.lower().replace("’", "'") for w in _WORD.findall(clause)]
        for size in sizes:
            for i in range(len(words) - size + 1):
                run = words[i : i + size]
                if run[0] in STOP_WORDS or run[-1] in STOP_WORDS or len(run[0]) < 2 or len(run[-1]) < 2:
                    continue
                written = " ".join(run)
                if len(written) <= LONGEST:
                    found.setdefault(stem_phrase(written), written)
                if len(found) >= MOST:
                    return list(found.items())
    return list(found.items())


def known(kind: Kind) -> set[str]:
    """A kind's keywords and phrases as the classifier compares them (stemmed)."""
    return {stem_phrase(term) for term in (*kind.keywords, *kind.phrases)}


@dataclass(frozen=True)
class Suggestion:
    """Add `words` to the kind's phrases? Seen in `posts` posts tracked by hand."""

    kind: str
    label: str
    words: str
    posts: int

    def sentence(self) -> str:
        """What an admin reads."""
        return (
            f"Posts like this were tracked by hand {self.posts} times this month: add '{self.words}' to {self.label}?"
        )


def suggested(session: Session, settings: Settings, team_id: str, now: datetime) -> list[Suggestion]:
    """What to suggest to a workspace's admins now (`settings`: the workspace's), the most seen first: phrases
    in `AT_LEAST` posts of one kind tracked by hand within `WITHIN`, not yet its keywords or phrases."""
    found: list[Suggestion] = []
    for seen in often_tracked(session, team_id, now - WITHIN, AT_LEAST):
        kind = settings.kinds.get(seen.kind)
        if kind is not None and seen.phrase not in known(kind):
            found.append(Suggestion(seen.kind, kind_label(settings, seen.kind), seen.words, seen.posts))
        if len(found) >= SHOWN:
            break
    return found

"""Phrases: those of posts tracked by hand (counted for suggestions), and those a workspace's admins added to
a kind or dismissed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import KindPhrase, TrackedPhrase
from store.queries.common import insert_ignore_many, put


@dataclass(frozen=True)
class Seen:
    """A phrase seen in `posts` hand-tracked posts of one kind; `words` as the latest of them wrote it."""

    kind: str
    phrase: str
    words: str
    posts: int


def record_tracked(
    session: Session, team_id: str, task_id: int, kind: str, phrases: Iterable[tuple[str, str]], now: datetime
) -> None:
    """Remember the (stemmed phrase, words) pairs of the post of a task tracked by hand."""
    rows = [
        {
            "team_id": team_id,
            "task_id": task_id,
            "kind": kind,
            "phrase": phrase[:200],
            "words": words[:200],
            "seen_at": now,
        }
        for phrase, words in phrases
    ]
    insert_ignore_many(session, TrackedPhrase, rows)


def often_tracked(session: Session, team_id: str, since: datetime, at_least: int) -> list[Seen]:
    """Phrases seen in `at_least` hand-tracked posts of one kind since `since`, and not added or dismissed
    here: the most seen first."""
    posts = func.count(func.distinct(TrackedPhrase.task_id))
    decided = select(KindPhrase.phrase).where(
        KindPhrase.team_id == team_id, KindPhrase.kind == TrackedPhrase.kind, KindPhrase.phrase == TrackedPhrase.phrase
    )
    rows = session.execute(
        select(TrackedPhrase.kind, TrackedPhrase.phrase, posts, func.max(TrackedPhrase.id))
        .where(TrackedPhrase.team_id == team_id, TrackedPhrase.seen_at >= since, ~decided.exists())
        .group_by(TrackedPhrase.kind, TrackedPhrase.phrase)
        .having(posts >= at_least)
        .order_by(posts.desc(), TrackedPhrase.kind, TrackedPhrase.phrase)
    ).all()
    latest = {row[3] for row in rows}
    chosen = select(TrackedPhrase.id, TrackedPhrase.words).where(TrackedPhrase.id.in_(latest))
    words = {row_id: written for row_id, written in session.execute(chosen)}
    return [Seen(kind, phrase, words[last], count) for kind, phrase, count, last in rows]


def decide_phrase(
    session: Session, team_id: str, kind: str, phrase: str, words: str, added: bool, user_id: str, now: datetime
) -> None:
    """The workspace's admins added `phrase` to `kind` (or, not `added`, dismissed it as a suggestion)."""
    key = {"team_id": team_id, "kind": kind, "phrase": phrase}
    put(session, KindPhrase, key, words=words, added=added, decided_by=user_id, decided_at=now)


def added_phrases(session: Session, team_id: str) -> dict[str, tuple[str, ...]]:
    """The phrases the workspace's admins added, kind -> words, in the order they were added."""
    found: dict[str, tuple[str, ...]] = {}
    for kind, words in session.execute(
        select(KindPhrase.kind, KindPhrase.words)
        .where(KindPhrase.team_id == team_id, KindPhrase.added.is_(True))
        .order_by(KindPhrase.decided_at, KindPhrase.phrase)
    ):
        found[kind] = (*found.get(kind, ()), words)
    return found

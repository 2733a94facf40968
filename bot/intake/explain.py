"""`dibs classify "TEXT" [--team T…]`: which kind a post would become and why, by the classifier the bot uses."""

from __future__ import annotations

import sys

from bot.intake.classify import plain_text, title_from
from bot.intake.match import Match, best_kind, explain
from bot.settings import Settings
from bot.settings.labels import kind_label
from bot.tasks.tx import settings_in


def _hit(match: Match) -> str:
    if match.phrase:
        differs = match.found.lower() != match.term
        return f"phrase '{match.term}'" + (f" (as '{match.found}')" if differs else "")
    return f"matched '{match.term}' (as '{match.found}')"


def _kind_line(settings: Settings, name: str, matches: list[Match]) -> str:
    hits = ", ".join(_hit(m) for m in matches if m.kind.name == name)
    return f"{kind_label(settings, name)} ({name}): {hits}"


def explanation(text: str, settings: Settings) -> str:
    """What `dibs classify` prints: the kind and the hits that made it, the other kinds matched (fewer hits, or
    a tie listed later), and the title."""
    kinds = list(settings.kinds.values())
    matches = explain(plain_text(text), kinds)
    best = best_kind(matches, kinds)
    title = title_from(text)
    if best is None:
        names = ", ".join(settings.kinds)
        return f"No kind: no keyword or phrase of {names} appears.\nTitle if tracked by hand: {title}"
    lines = [_kind_line(settings, best.name, matches)]
    others = list(dict.fromkeys(m.kind.name for m in matches if m.kind.name != best.name))
    lines += [f"Also matched: {_kind_line(settings, name, matches)}" for name in others]
    lines.append(f"Title: {title}")
    return "\n".join(lines)


def classify_command(settings: Settings, text: str, team_id: str | None) -> int:
    """`dibs classify`: print the explanation, with the settings file's kinds (and with `team_id`, the phrases
    that workspace's admins added, read from the database)."""
    if team_id:
        from sqlalchemy.exc import SQLAlchemyError

        from store.db import make_engine, make_session_factory

        try:
            engine = make_engine(settings.database_url)
            with make_session_factory(engine).begin() as session:
                settings = settings_in(session, settings, team_id)
            engine.dispose()
        except SQLAlchemyError as error:
            print(f"dibs: cannot read the database at DATABASE_URL: {str(error).splitlines()[0]}", file=sys.stderr)
            return 2
    print(explanation(text, settings))
    return 0

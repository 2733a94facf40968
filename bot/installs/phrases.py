"""Phrases learnt from posts tracked by hand: suggested to the admins, added to a kind only when one accepts.

When someone uses Track with Dibs on a post that matched no kind, the post's phrases are remembered with the
kind they chose (`remember`). A phrase seen in `AT_LEAST` such posts of one kind within `WITHIN`, and not yet
the kind's keyword or phrase here, is a suggestion (`bot.intake.phrases.suggested`): `/dibs settings` and
the admins' Home tab show it. `/dibs settings phrase KIND "words"` (or the Add button) adds it to the
workspace's own phrases for that kind, which the classifier uses from then on; `/dibs settings dismiss KIND
"words"` (or Dismiss) stops suggesting it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.intake.channels import check_admin
from bot.intake.phrases import candidates, known, suggested
from bot.intake.stems import stem_phrase
from bot.settings.labels import kind_label
from bot.slack.text import escape
from bot.tasks.errors import DibsError
from bot.tasks.kinds import kind_named
from bot.tasks.tx import Tx
from store.queries.phrases import decide_phrase, record_tracked

if TYPE_CHECKING:
    from bot.services import Services

META_LIMIT = 1500  # characters of phrases carried in the Track form's private_metadata (Slack allows 3000)


def carried(text: str) -> list[str]:
    """The phrases of a post that matched no kind, as the Track form carries them to `remember`."""
    phrases: list[str] = []
    size = 0
    for _, words in candidates(text):
        size += len(words) + 4
        if size > META_LIMIT:
            break
        phrases.append(words)
    return phrases


def remember(tx: Tx, team_id: str, task_id: int, kind: str, phrases: list[str]) -> None:
    """In `tx`: the phrases of a post tracked by hand as `kind` (those `carried` gave)."""
    if phrases:
        record_tracked(tx.session, team_id, task_id, kind, ((stem_phrase(w), w) for w in phrases), tx.now)


def suggestion_lines(svc: Services, team_id: str, session: Session) -> list[str]:
    """The `/dibs settings` lines for the suggestions (none: no lines)."""
    return [
        f'• {s.sentence()} `/dibs settings phrase {s.kind} "{s.words}"` adds it;'
        f' `/dibs settings dismiss {s.kind} "{s.words}"` stops asking.'
        for s in suggested(session, svc.settings_for(team_id, session), team_id, svc.now())
    ]


def decide(svc: Services, team_id: str, user_id: str, kind_name: str, words: str, add: bool) -> str:
    """An admin adds `words` to a kind's phrases here (or dismisses the suggestion); the answer for them."""
    check_admin(svc, team_id, user_id)
    written = " ".join(words.strip().strip("\"'“”‘’").lower().split())
    phrase = stem_phrase(written)
    if not phrase or len(written) > 200:
        raise DibsError('Write the phrase in quotes, like `/dibs settings phrase blog_comment "left a comment"`.')
    kind = kind_named(svc.settings_for(team_id), kind_name)
    label = kind.label or kind_label(None, kind.name)
    if add and phrase in known(kind):
        return f"'{escape(written)}' is already one of {label}'s keywords or phrases."
    with svc.transaction() as tx:
        decide_phrase(tx.session, team_id, kind.name, phrase, written, add, user_id, tx.now)
        tx.forget(("settings", team_id))
    if add:
        return f"Posts with '{escape(written)}' (in any word form) become {label} tasks in this workspace from now on."
    return f"'{escape(written)}' is not a phrase of {label} here, and I will not suggest it again."

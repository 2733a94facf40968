"""Which kind a command names: its key or its label, in any case (`event`, `Blog comment`, `blog-comment`)."""

from __future__ import annotations

from bot.settings import Kind, Settings
from bot.settings.labels import kind_labels, resolve_kind, resolve_leading_kind
from bot.slack.text import escape
from bot.tasks.errors import UnknownKind


def kind_named(settings: Settings, typed: str) -> Kind:
    """The kind a person named by its key or its label (see `resolve_kind`); else UnknownKind listing the labels."""
    key = resolve_kind(settings, typed)
    if key is None:
        raise UnknownKind(f"There is no kind `{escape(typed)}`. Kinds: {kind_labels(settings)}.")
    return settings.kinds[key]


def kind_and_title(settings: Settings, kind_word: str, title: str) -> tuple[Kind, str]:
    """`/dibs new`'s kind and title: the longest run of first words naming a kind (`Blog comment Reply to
    Ana`), leaving at least one word of title; else the first word's kind, or UnknownKind."""
    found = resolve_leading_kind(settings, [kind_word, *title.split()][:-1])
    if found is None:
        return kind_named(settings, kind_word), title
    key, used = found
    return settings.kinds[key], title.split(maxsplit=used - 1)[-1] if used > 1 else title

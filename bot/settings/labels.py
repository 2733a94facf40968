"""How people name a kind: its label ("Blog comment") where Dibs shows it, and the label or the key, in
any case, where a person types it. A person never reads a snake_case kind name."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.settings.kinds import DEFAULT_KINDS
from bot.settings.model import Settings

_SEPARATORS = re.compile(r"[\s_\-]+")
_UNSHOWN = re.compile(r"[^\w\s'-]")  # what a derived label leaves out: nothing in it can be Slack markup


def derived_label(key: str) -> str:
    """A kind's label from its key when the settings give none: `trade_show` → `Trade show`."""
    words = " ".join(_UNSHOWN.sub("", key).replace("_", " ").split())  # a key is letters, digits and _
    return words[:1].upper() + words[1:]


def kind_label(settings: Settings | None, key: str) -> str:
    """The label of the kind `key`: the settings' label, a default kind's, or one derived from the key
    (also for a kind no longer in the settings, whose old tasks still name it)."""
    kind = settings.kind(key) if settings is not None else DEFAULT_KINDS.get(key)
    if kind is not None and kind.label:
        return kind.label
    return derived_label(key)


def kind_emoji(settings: Settings | None, key: str) -> str | None:
    """The kind's emoji (`:calendar:`), if it has one."""
    kind = settings.kind(key) if settings is not None else DEFAULT_KINDS.get(key)
    return kind.emoji if kind is not None else None


def kind_tag(settings: Settings | None, key: str) -> str:
    """The kind as a line of Slack text shows it: `:calendar: Event`, or the label alone without an emoji."""
    emoji = kind_emoji(settings, key)
    return f"{emoji} {kind_label(settings, key)}" if emoji else kind_label(settings, key)


def kind_labels(settings: Settings) -> str:
    """Every kind's label, in the settings' order: `Event, Blog comment, Gift campaign, Gift follow-up`."""
    return ", ".join(kind_label(settings, key) for key in settings.kinds)


def _squashed(text: str) -> str:
    """Lower case, spaces, underscores and hyphens all dropped: `Blog-comment` and `blog_comment` agree."""
    return _SEPARATORS.sub("", text.strip().lower())


def resolve_kind(settings: Settings, text: str) -> str | None:
    """The key of the kind a person named: its key or its label, in any case, with spaces, underscores and
    hyphens alike (`event`, `Blog comment`, `blog-comment`, `BLOGCOMMENT`); None if no kind is called so."""
    wanted = _squashed(text)
    if not wanted:
        return None
    if wanted in settings.kinds:
        return wanted
    for key in settings.kinds:
        if wanted in (_squashed(key), _squashed(kind_label(settings, key))):
            return key
    return None


def resolve_leading_kind(settings: Settings, words: Sequence[str]) -> tuple[str, int] | None:
    """The kind the first words name and how many words that took, the longest run first (`blog comment
    Reply to Ana` → (`blog_comment`, 2)); None when the first word starts no kind's name."""
    for count in range(len(words), 0, -1):
        key = resolve_kind(settings, " ".join(words[:count]))
        if key is not None:
            return key, count
    return None


def kind_in_sentence(settings: Settings | None, key: str) -> str:
    """The label inside a sentence ("New blog comment: …"): its first letter in lower case, unless it starts
    with an abbreviation (`SEO audit` stays)."""
    label = kind_label(settings, key)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def kinds_in_sentence(settings: Settings) -> str:
    """Every kind inside a sentence: `event, blog comment, gift campaign and gift follow-up`."""
    names = [kind_in_sentence(settings, key) for key in settings.kinds]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)

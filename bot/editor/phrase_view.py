"""Suggested phrases on an admin's Home tab: "Posts like this were tracked by hand 3 times this month: add
'left a comment' to Blog comment?" with Add and Dismiss (see `bot.installs.phrases`)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.intake.phrases import Suggestion
from bot.slack.blocks import with_buttons
from bot.slack.ids import ActionId

HOME_SUGGESTIONS = 2  # at most, two blocks each (taken from the task lists' share of the tab)


def suggestion_value(suggestion: Suggestion) -> str:
    """What the Add and Dismiss buttons carry: the kind and the words."""
    return f"{suggestion.kind}\n{suggestion.words}"


def suggestion_blocks(suggestions: Sequence[Suggestion]) -> list[Block]:
    """A line and its Add and Dismiss buttons per suggestion."""
    blocks: list[Block] = []
    for suggestion in suggestions[:HOME_SUGGESTIONS]:
        shown = with_buttons(
            f":bulb: {suggestion.sentence()}",
            suggestion_value(suggestion),
            ("Add", ActionId.ADD_PHRASE),
            ("Dismiss", ActionId.DISMISS_PHRASE),
        )
        blocks += shown.blocks
    return blocks

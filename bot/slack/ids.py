"""Every action, block and callback id Dibs puts on Slack surfaces, in one place.

The task id travels in the button's `value`, never in the `action_id`.
"""

from enum import StrEnum


class ActionId(StrEnum):
    """Buttons."""

    CLAIM = "dibs_claim"
    DONE = "dibs_done"


class CallbackId(StrEnum):
    """Modals."""

    DONE_LINK = "dibs_done_link"


class BlockId(StrEnum):
    """Input blocks of modals."""

    LINK = "done_link"


LINK_INPUT = "link"

"""Every action, block and callback id Dibs puts on Slack surfaces, in one place.

The task id travels in the button's `value`, never in the `action_id`.
"""

from enum import StrEnum


class ActionId(StrEnum):
    """Buttons."""

    CLAIM = "dibs_claim"
    DONE = "dibs_done"
    RELEASE = "dibs_release"  # on the Home tab
    TAKE_NOMINATION = "dibs_nominee_take"  # rotation: fair, in the nominee's DM
    PASS_NOMINATION = "dibs_nominee_pass"
    GIFT = "dibs_gift"  # the Delivered / Missed choice next to a recipient
    CLAIM_SEAT = "dibs_claim_seat"  # "I'll take lead": one per role, the value is `task id:role`
    TAKE_OFFER = "dibs_offer_take"  # a freed seat offered to the first in line, in their DM
    PASS_OFFER = "dibs_offer_pass"
    ACCEPT_SWAP = "dibs_swap_accept"  # someone asked to take an owner's seat, in their DM (value: swap id)
    DECLINE_SWAP = "dibs_swap_decline"
    SWAP_PICK = "dibs_swap_pick"  # "Hand my seat to…" in the thread: a person picker (the task id is in its block)
    UNDO = "dibs_undo"  # on the private note after a change (value: undo id)
    SNOOZE_STALE = "dibs_stale_snooze"  # "still on it?" in an owner's DM: ask again one stale_claim_after later
    ADD_PHRASE = "dibs_phrase_add"  # a suggested phrase on an admin's Home tab (value: `kind` newline `words`)
    DISMISS_PHRASE = "dibs_phrase_dismiss"


class CallbackId(StrEnum):
    """Modals."""

    DONE_LINK = "dibs_done_link"
    TRACK = "dibs_track"  # the "Track with Dibs" message shortcut, and its modal


class BlockId(StrEnum):
    """Input blocks of modals."""

    LINK = "done_link"
    KIND = "track_kind"
    TITLE = "track_title"
    DUE = "track_due"


LINK_INPUT = "link"

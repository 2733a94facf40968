"""The values a status column can hold, as `StrEnum`s: stored as their plain strings."""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    """A task's life: open (unclaimed) → claimed (has owners) → done or cancelled."""

    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"
    CANCELLED = "cancelled"


# Tasks that still need someone: listed, reminded, shown in digests.
ACTIVE = (TaskStatus.OPEN, TaskStatus.CLAIMED)
FINISHED = (TaskStatus.DONE, TaskStatus.CANCELLED)


class ClaimRole(StrEnum):
    """A person on a task: an owner, or waiting in line for a free slot."""

    OWNER = "owner"
    OFFERED = "offered"  # a freed seat is held for them until they take it, pass, or the offer runs out
    WAITING = "waiting"


class PostState(StrEnum):
    """An outbox row: waiting to be sent, sent, called off, held back by the noise budget, shown in a
    digest, or given up (Slack gave an answer that retrying cannot change)."""

    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    FOLDED = "folded"
    DIGESTED = "digested"
    FAILED = "failed"


class Purpose(StrEnum):
    """Why an outbox row exists."""

    POSTER_DM = "poster_dm"
    DUE = "due"
    ANNOUNCE = "announce"  # the channel post /dibs new makes; the task lives under it
    NOTE = "note"  # a private note (ephemeral) to the person who acted
    DM = "dm"  # a direct message: a freed slot, a hand-over
    MODAL = "modal"  # views.open: the proof-of-done modal
    HOME = "home"  # views.publish: the App Home tab
    JOIN = "join"  # conversations.join after /dibs watch
    IMPORT = "import"  # files.info and the download of a CSV of gift recipients shared in a thread
    CHART = "chart"  # the weekly chart, rendered and uploaded after the Monday digest
    EXPORT = "export"  # /dibs export: the CSV, built and uploaded to the person's DM
    NOMINATE = "nominate"  # rotation: fair: choose the nominee and ask them privately
    OFFER = "offer"  # a freed seat offered to the first person waiting (Take it / Pass)
    ROSTER = "roster"  # the roster posted in the thread before the event
    MOVED = "moved"  # "Moved to …" in the thread of an event the team's calendar moved or cancelled
    CALENDAR = "calendar"  # an owner's calendar entry (.ics), written and uploaded to their DM as it is sent
    STALE = "stale"  # "still on it?" to the owners of a claim that went quiet
    SWAP = "swap"  # an owner asks someone to take their seat
    THREAD = "thread"  # a task's thread reply, posted once and updated in place (drawn as it is sent)
    LIST = "list"  # a channel's standing list of open follow-ups, updated in place or moved to the bottom
    UNLIST = "unlist"  # chat.delete of the list a move replaced


# Reminders that only make sense while a task is unclaimed.
NAG_PURPOSES = (Purpose.POSTER_DM,)


class Via(StrEnum):
    """How a person (or the schedule) acted on a task; recorded in the audit trail."""

    REACTION = "reaction"
    BUTTON = "button"
    COMMAND = "command"
    MESSAGE = "message"
    MODAL = "modal"
    SCHEDULE = "schedule"
    FEED = "feed"
    WEBHOOK = "webhook"
    SHORTCUT = "shortcut"
    GIFT = "gift"
    UNDO = "undo"


class GiftState(StrEnum):
    """Where one recipient's gift is."""

    PENDING = "pending"
    DELIVERED = "delivered"
    MISSED = "missed"

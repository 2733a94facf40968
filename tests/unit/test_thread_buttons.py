"""The thread reply's buttons fit the task's moment: Done once someone owns it, "Join the waitlist" where every
seat is held (the same buttons as "I'll take it": a claim past the last seat joins the line)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.editor.thread_view import build_ownership_message
from bot.settings import Settings
from bot.slack.ids import ActionId
from bot.tasks.model import Seating, TaskSnapshot
from store.enums import TaskStatus

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def snap(*seating: Seating) -> TaskSnapshot:
    owners = tuple(o for s in seating for o in s.owners)
    return TaskSnapshot(
        id=4, team_id="T1", channel_id="C1", kind="event", title="Booth",
        status=TaskStatus.CLAIMED if owners else TaskStatus.OPEN, slots=sum(s.seats for s in seating), posted_by="U9",
        source="message", message_ts="1.1", reply_ts=None, permalink=None, done_link=None, created_at=NOW,
        claimed_at=NOW if owners else None, done_at=None, owners=owners,
        waitlist=tuple(w for s in seating for w in s.waiting), version=1, done_by=None, seating=seating,
    )  # fmt: skip


def controls(task: TaskSnapshot) -> list[tuple[str, str]]:
    """(words, action id) of every button and picker under the thread reply."""
    blocks = [b.to_dict() for b in build_ownership_message(task, None, Settings(), date(2026, 12, 1)).blocks]
    return [
        ((e.get("text") or e.get("placeholder"))["text"], e["action_id"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


@pytest.mark.parametrize(
    "seating, shown",
    [
        ((Seating(None, 2, (), (), ()),), ["I'll take it"]),
        ((Seating(None, 2, ("U1",), (), ()),), ["I'll take it", "Done", "Hand my seat to…"]),
        ((Seating(None, 1, ("U1",), (), ()),), ["Join the waitlist", "Done"]),
        ((Seating(None, 1, (), (("U2", NOW),), ()),), ["Join the waitlist"]),  # held for U2: nobody owns it yet
        ((Seating("lead", 1, ("U1",), (), ()), Seating("staff", 2, (), (), ())),
         ["Join the lead waitlist", "I'll take staff", "Done", "Hand my seat to…"]),
        ((Seating("lead", 1, ("U1",), (), ()), Seating("staff", 1, ("U2",), (), ("U3",))),
         ["Join the lead waitlist", "Join the staff waitlist", "Done", "Hand my seat to…"]),
        ((Seating("lead", 1, (), (), ()), Seating("staff", 2, (), (), ())), ["I'll take lead", "I'll take staff"]),
    ],
)  # fmt: skip
def test_the_buttons_fit_the_moment(seating, shown):
    assert [words for words, _ in controls(snap(*seating))] == shown


def test_join_the_waitlist_is_the_claim_button_itself():
    full = controls(snap(Seating(None, 1, ("U1",), (), ())))
    assert full[0] == ("Join the waitlist", ActionId.CLAIM)
    [(_, role)] = [c for c in controls(snap(Seating("lead", 1, ("U1",), (), ()))) if "waitlist" in c[0]]
    assert role.startswith(ActionId.CLAIM_SEAT)

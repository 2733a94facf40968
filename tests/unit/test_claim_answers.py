"""What someone who claims past the last seat is told: whose the seats are, plain slots or a role's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.replies import _claimed
from bot.tasks.model import ClaimResult, Seating, TaskSnapshot

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def snap(*seating: Seating) -> TaskSnapshot:
    return TaskSnapshot(
        id=1, team_id="T1", channel_id="C1", kind="event", title="Booth", status="claimed",  # type: ignore[arg-type]
        slots=sum(s.seats for s in seating), posted_by="U9", source="message", message_ts="1.1", reply_ts=None,
        permalink=None, done_link=None, created_at=NOW, claimed_at=NOW, done_at=None,
        owners=tuple(o for s in seating for o in s.owners), waitlist=tuple(w for s in seating for w in s.waiting),
        version=1, done_by=None, seating=seating,
    )  # fmt: skip


@pytest.mark.parametrize(
    "seating, seat, said",
    [
        (Seating(None, 2, ("U1", "U2"), (), ("U3",)), None, "#1 is taken by <@U1>, <@U2> (2 of 2 seats)."),
        (Seating("lead", 1, (), (("U5", NOW),), ("U3",)), "lead", "The lead seat on #1 is taken by <@U5> (offered)."),
        (Seating("staff", 2, ("U1",), (("U5", NOW),), ("U3",)), "staff",
         "All 2 staff seats on #1 are taken (<@U1>, <@U5> (offered))."),
    ],
)  # fmt: skip
def test_a_claim_past_the_last_seat_says_whose_the_seats_are(seating, seat, said):
    reply = _claimed(ClaimResult(snap(seating), "waitlisted", seat), "U3").reply
    assert reply == f"{said} You are number 1 on the waitlist; when a seat frees up I'll offer it to you."

"""What a reminder says on top of the channel's list: the follow-ups still waiting, an event's free seats."""

from __future__ import annotations

from dataclasses import replace

from bot.editor.lists import reminder_note
from tests.unit.test_digest_view import task


def test_a_reminder_names_what_still_waits_and_an_events_free_seats():
    booth = replace(task(1, status="claimed", owners=("U1",)), slots=3)  # after its roster: 2 seats free
    comment = task(2)
    assert reminder_note([booth, comment]) == ":bell: Still waiting for someone: #1 (2 free seats), #2."
    one = replace(booth, slots=2)
    assert reminder_note([one]) == ":bell: Still waiting for someone: #1 (1 free seat)."


def test_a_long_reminder_names_five_and_counts_the_rest():
    note = reminder_note([task(n) for n in range(1, 9)])
    assert note == ":bell: Still waiting for someone: #1, #2, #3, #4, #5 and 3 more."

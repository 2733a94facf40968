"""Reminders about an event's free seats after its roster read as such, alone and coalesced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.reminders.policy import Step
from bot.reminders.texts import coalesced_line, coalesced_text, nag_text
from bot.settings import Settings

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_free_seat_reminder_says_how_many_are_free():
    text = nag_text(12, NOW - timedelta(hours=3), NOW, Step.MENTION_GROUP, None, Settings(), free=2)
    assert text == "<!here> #12 still has 2 free seats. Can you help? `/dibs claim 12` takes one."
    assert "still unclaimed" in nag_text(12, NOW - timedelta(hours=3), NOW, Step.PLAIN, None, Settings())


def test_a_coalesced_message_names_free_seats_and_says_people_are_needed():
    lines = [
        coalesced_line(1, "event", "Booth", NOW - timedelta(days=1), NOW, free=1),
        coalesced_line(2, "blog_comment", "Comment", NOW - timedelta(hours=5), NOW),
    ]
    assert lines[0].endswith("· 1 free seat") and lines[1].endswith("· waiting 5h")
    assert coalesced_text(lines, Step.PLAIN, None).startswith("*2 follow-ups here still need people.*")
    assert coalesced_text(lines[1:], Step.PLAIN, None).startswith("*1 follow-ups here are still unclaimed.*")

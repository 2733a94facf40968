"""Dates as people write them (bot.slack.dates): one table of what is read, at a fixed moment and time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.slack.dates import date_in, names_a_day, read_date

BERLIN, AUCKLAND, LA = ZoneInfo("Europe/Berlin"), ZoneInfo("Pacific/Auckland"), ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Mon 7 Dec 2026, 10:00 in Berlin
LATE = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # Mon 23:30 in UTC, already Tue 8 Dec 12:30 in Auckland
EARLY = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # Tue 03:00 in UTC, still Mon 7 Dec 19:00 in Los Angeles
BEFORE_DST_ENDS = datetime(2026, 10, 24, 21, 30, tzinfo=UTC)  # Sat 24 Oct 23:30 in Berlin; clocks go back on the 25th
FRIDAY = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "now", "tz", "order", "expected"),
    [
        # month names, either way round, any case, with ordinals and years
        ("Jan 20", MONDAY, BERLIN, "MDY", date(2027, 1, 20)),
        ("20 January", MONDAY, BERLIN, "DMY", date(2027, 1, 20)),
        ("january 20th", MONDAY, BERLIN, "MDY", date(2027, 1, 20)),
        ("20th of Jan", MONDAY, BERLIN, "MDY", date(2027, 1, 20)),
        ("Wed 20 Jan", MONDAY, BERLIN, "DMY", date(2027, 1, 20)),
        ("January 20th, 2027", MONDAY, BERLIN, "MDY", date(2027, 1, 20)),
        ("Dec 12", MONDAY, BERLIN, "MDY", date(2026, 12, 12)),
        # numbers: the workspace's date order, or the one reading that is a date
        ("1/20", MONDAY, BERLIN, "MDY", date(2027, 1, 20)),
        ("20/1", MONDAY, BERLIN, "DMY", date(2027, 1, 20)),
        ("12/1", MONDAY, BERLIN, "MDY", date(2027, 12, 1)),  # 1 Dec has passed: next year's
        ("12/1", MONDAY, BERLIN, "DMY", date(2027, 1, 12)),
        ("20/1", MONDAY, BERLIN, "MDY", date(2027, 1, 20)),  # only one reading is a date
        ("1/20/2027", MONDAY, BERLIN, "MDY", date(2027, 1, 20)),
        ("20/1/27", MONDAY, BERLIN, "DMY", date(2027, 1, 20)),
        ("13/13", MONDAY, BERLIN, "MDY", None),
        # ISO, as written
        ("2026-12-12", MONDAY, BERLIN, "DMY", date(2026, 12, 12)),
        ("2027-01-20", MONDAY, BERLIN, "MDY", date(2027, 1, 20)),
        ("2026-13-45", MONDAY, BERLIN, "MDY", None),
        # relative days, with or without a time (am/pm or 24 hours)
        ("tomorrow", MONDAY, BERLIN, "MDY", date(2026, 12, 8)),
        ("tomorrow 3pm", MONDAY, BERLIN, "MDY", date(2026, 12, 8)),
        ("tomorrow at 15:00", MONDAY, BERLIN, "DMY", date(2026, 12, 8)),
        ("Jan 20 3pm", MONDAY, BERLIN, "MDY", date(2027, 1, 20)),
        ("today", MONDAY, BERLIN, "MDY", date(2026, 12, 7)),
        ("in 2 weeks", MONDAY, BERLIN, "MDY", date(2026, 12, 21)),
        ("in 3 days", MONDAY, BERLIN, "MDY", date(2026, 12, 10)),
        ("next Friday", MONDAY, BERLIN, "MDY", date(2026, 12, 11)),
        ("Friday", MONDAY, BERLIN, "MDY", date(2026, 12, 11)),  # the coming Friday
        ("Friday", FRIDAY, BERLIN, "MDY", date(2026, 12, 18)),  # on a Friday: the next one, never the past
        ("this Friday", FRIDAY, BERLIN, "MDY", date(2026, 12, 11)),
        # a day and month without a year that has passed this year is next year's; today is today
        ("Dec 1", MONDAY, BERLIN, "MDY", date(2027, 12, 1)),
        ("Dec 7", MONDAY, BERLIN, "MDY", date(2026, 12, 7)),
        ("7 December", MONDAY, BERLIN, "DMY", date(2026, 12, 7)),
        ("Feb 29", MONDAY, BERLIN, "MDY", date(2028, 2, 29)),
        # a year written is kept (the due date's own rules refuse what is too far back)
        ("Jan 20 2025", MONDAY, BERLIN, "MDY", date(2025, 1, 20)),
        # the workspace's today, not UTC's
        ("today", LATE, AUCKLAND, "MDY", date(2026, 12, 8)),
        ("tomorrow", LATE, AUCKLAND, "DMY", date(2026, 12, 9)),
        ("today", LATE, ZoneInfo("UTC"), "MDY", date(2026, 12, 7)),
        ("tomorrow", EARLY, LA, "MDY", date(2026, 12, 8)),
        ("Dec 7", EARLY, LA, "MDY", date(2026, 12, 7)),
        # across the change from summer time
        ("tomorrow", BEFORE_DST_ENDS, BERLIN, "MDY", date(2026, 10, 25)),
        ("tomorrow 3pm", BEFORE_DST_ENDS, BERLIN, "MDY", date(2026, 10, 25)),
        ("in 2 weeks", BEFORE_DST_ENDS, BERLIN, "MDY", date(2026, 11, 7)),
        ("Oct 25", BEFORE_DST_ENDS, BERLIN, "MDY", date(2026, 10, 25)),
        ("Oct 24", BEFORE_DST_ENDS, BERLIN, "MDY", date(2026, 10, 24)),
        # not dates
        ("Jan 32", MONDAY, BERLIN, "MDY", None),
        ("Feb 30", MONDAY, BERLIN, "MDY", None),
        ("soon", MONDAY, BERLIN, "MDY", None),
        ("may", MONDAY, BERLIN, "MDY", None),
        ("Jan", MONDAY, BERLIN, "MDY", None),
        ("3pm", MONDAY, BERLIN, "MDY", None),
        ("15:00", MONDAY, BERLIN, "MDY", None),
        ("Jan 20 blah", MONDAY, BERLIN, "MDY", None),
        ("", MONDAY, BERLIN, "MDY", None),
    ],
)
def test_read_date(text, now, tz, order, expected):
    assert read_date(text, now, tz, order) == expected


@pytest.mark.parametrize(
    ("post", "order", "expected"),
    [
        ("Booth at Springfield Expo on Jan 20, who can staff it?", "MDY", date(2027, 1, 20)),
        ("Booth at Springfield Expo on 1/20, who can staff it?", "MDY", date(2027, 1, 20)),
        ("Webinar on 20/1 — who hosts?", "DMY", date(2027, 1, 20)),
        ("Webinar next Friday at 3pm, who can host?", "MDY", date(2026, 12, 11)),
        ("Due tomorrow: reply to the comment", "MDY", date(2026, 12, 8)),
        ("Launch on 2027-01-20 at noon", "DMY", date(2027, 1, 20)),
        ("Can someone reply to this comment?", "MDY", None),
        ("Sending gifts to all 40 customers", "MDY", None),
        ("We got a booth at Springfield Expo, who can staff it?", "MDY", None),
        ("We offer support 24/7 and 1/2 price for 40 customers", "DMY", None),
        ("May I ask something now? Second time, the sun is out, I sat down", "MDY", None),
        ("Send 3 mugs to the 2nd team, 10 at most", "MDY", None),
        ("Reply to comment #123 on the pricing page by end of day", "MDY", None),
        ("Webinar next week: who hosts the Q&A?", "MDY", None),  # names no day: no guess
        ("Gifts go out next month, who checks?", "MDY", None),
        ("Webinar in 2 weeks: who hosts?", "MDY", date(2026, 12, 21)),
    ],
)
def test_date_in_a_post(post, order, expected):
    assert date_in(post, MONDAY, BERLIN, order) == expected


def test_a_post_naming_no_day_never_reaches_dateparser():
    for post in ("Can someone reply to this comment?", "Sending gifts to all 40 customers", "We got a booth"):
        assert not names_a_day(post, in_post=True)
    assert names_a_day("1/2", in_post=False) and not names_a_day("half off: 1/2 price", in_post=True)

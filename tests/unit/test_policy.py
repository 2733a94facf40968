"""Unit tests of bot.policy: working hours, the nag clock, escalation, due dates, overdue and digests.

The policy functions take explicit aware times; the scenario tests also freeze "now" with freezegun
and walk a task through the ticks the scheduler would run, each next time computed from the last.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from bot.settings import DigestSettings, NagSettings, Settings, parse_working_hours
from bot.timing import (
    Step,
    digest_due,
    due_moment,
    due_schedule,
    due_steps_passed,
    escalation,
    first_nag_at,
    following_nag_at,
    in_working_hours,
    is_overdue,
    local_day,
    next_working_moment,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_5 = "09:00-17:00 mon-fri"


def make_settings(timezone: str = "UTC", hours: str = WEEKDAYS_9_TO_5, **nag: object) -> Settings:
    """Default settings with a time zone, working hours and any NagSettings fields replaced."""
    return Settings(timezone=timezone, working_hours=parse_working_hours(hours), nag=NagSettings(**nag))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Berlin wall-clock time, as the UTC instant the policy functions take and return."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A New York wall-clock time, as the UTC instant the policy functions take and return."""
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


def local_text(moment: datetime, tz: ZoneInfo) -> str:
    """`moment` as a readable local time, so a failure shows what a person in `tz` would see."""
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z")


# --- the nag clock -------------------------------------------------------------------------------


def test_nag_defaults_are_two_hours_then_every_four_hours():
    nag = NagSettings()
    assert nag.first_after == timedelta(hours=2)
    assert nag.every == timedelta(hours=4)
    assert nag.escalate_after == timedelta(days=1)
    assert nag.dm_poster_after == timedelta(days=3)
    assert nag.due_reminders == (timedelta(days=3), timedelta(days=1))


def test_first_reminder_comes_first_after_the_task_opens():
    settings = make_settings()
    opened = utc(2026, 7, 15, 10, 17)  # Wednesday, inside working hours
    assert first_nag_at(opened, settings) == utc(2026, 7, 15, 12, 17)


def test_reminders_repeat_every_four_hours():
    settings = make_settings(hours="always")
    sent = utc(2026, 7, 15, 10)
    second = following_nag_at(sent, settings)
    third = following_nag_at(second, settings)
    assert (second, third) == (utc(2026, 7, 15, 14), utc(2026, 7, 15, 18))


def test_custom_first_after_and_every_come_from_the_settings():
    settings = make_settings(hours="always", first_after=timedelta(minutes=30), every=timedelta(days=1))
    opened = utc(2026, 7, 15, 10)
    assert first_nag_at(opened, settings) == utc(2026, 7, 15, 10, 30)
    assert following_nag_at(utc(2026, 7, 15, 10, 30), settings) == utc(2026, 7, 16, 10, 30)


@pytest.mark.parametrize("first_after_hours", [1, 2, 5])
def test_release_restarts_the_clock(first_after_hours):
    """A released task starts again from the release time; when it first opened does not matter."""
    settings = make_settings(hours="always", first_after=timedelta(hours=first_after_hours))
    opened = utc(2026, 7, 13, 9)
    released = utc(2026, 7, 15, 13, 45)
    expected = released + timedelta(hours=first_after_hours)
    assert first_nag_at(released, settings) == expected
    assert first_nag_at(opened, settings) == opened + timedelta(hours=first_after_hours)
    assert first_nag_at(released, settings) != first_nag_at(opened, settings)
    # The nag clock after a release is where it would be for a brand-new task opened then.
    assert escalation(released, expected, settings) is Step.PLAIN


# --- working hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (utc(2026, 7, 15, 8, 59), False),
        (utc(2026, 7, 15, 9, 0), True),
        (utc(2026, 7, 15, 16, 59), True),
        (utc(2026, 7, 15, 17, 0), False),  # the end is exclusive
        (utc(2026, 7, 18, 11, 0), False),  # Saturday
        (utc(2026, 7, 19, 11, 0), False),  # Sunday
    ],
)
def test_in_working_hours_edges(moment, inside):
    settings = make_settings()
    assert in_working_hours(moment, settings.working_hours, settings.tz) is inside


def test_a_moment_inside_working_hours_is_kept_exactly():
    settings = make_settings()
    moment = datetime(2026, 7, 15, 11, 22, 33, 444, tzinfo=UTC)
    assert next_working_moment(moment, settings.working_hours, settings.tz) == moment


def test_reminder_due_in_the_evening_waits_for_the_next_morning():
    settings = make_settings()
    sent = utc(2026, 7, 14, 15)  # Tuesday 15:00 + 4h = 19:00
    assert following_nag_at(sent, settings) == utc(2026, 7, 15, 9)
    assert next_working_moment(utc(2026, 7, 14, 19), settings.working_hours, settings.tz) == utc(2026, 7, 15, 9)


def test_reminder_due_exactly_at_closing_time_waits_for_the_next_morning():
    settings = make_settings()
    assert first_nag_at(utc(2026, 7, 14, 15), settings) == utc(2026, 7, 15, 9)


def test_friday_afternoon_waits_over_the_weekend_until_monday_morning():
    settings = make_settings()
    opened = utc(2026, 7, 17, 16)  # Friday 16:00 + 2h = 18:00
    assert first_nag_at(opened, settings) == utc(2026, 7, 20, 9)
    assert following_nag_at(utc(2026, 7, 17, 15), settings) == utc(2026, 7, 20, 9)


def test_before_nine_on_a_working_day_waits_until_nine_that_day():
    settings = make_settings()
    assert next_working_moment(utc(2026, 7, 15, 6), settings.working_hours, settings.tz) == utc(2026, 7, 15, 9)
    assert first_nag_at(utc(2026, 7, 15, 5), settings) == utc(2026, 7, 15, 9)  # 07:00 -> 09:00


def test_early_on_a_weekend_morning_waits_until_monday():
    settings = make_settings()
    saturday_early = utc(2026, 7, 18, 7)
    assert next_working_moment(saturday_early, settings.working_hours, settings.tz) == utc(2026, 7, 20, 9)


@pytest.mark.parametrize(
    "opened",
    [utc(2026, 7, 18, 3), utc(2026, 7, 14, 17, 30), utc(2026, 7, 19, 23, 59), utc(2026, 7, 15, 10)],
)
def test_always_changes_nothing(opened):
    settings = make_settings(hours="always")
    assert in_working_hours(opened, settings.working_hours, settings.tz) is True
    assert next_working_moment(opened, settings.working_hours, settings.tz) == opened
    assert first_nag_at(opened, settings) == opened + timedelta(hours=2)
    assert following_nag_at(opened, settings) == opened + timedelta(hours=4)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 7, 17, 10), utc(2026, 7, 18, 8)),  # Friday -> Saturday 08:00
        (utc(2026, 7, 18, 7, 59), utc(2026, 7, 18, 8)),  # Saturday before the window
        (utc(2026, 7, 18, 11, 0), utc(2026, 7, 18, 11, 0)),  # inside
        (utc(2026, 7, 18, 12, 0), utc(2026, 7, 19, 8)),  # Saturday noon -> Sunday 08:00
        (utc(2026, 7, 19, 13, 0), utc(2026, 7, 25, 8)),  # Sunday afternoon -> next Saturday
        (utc(2026, 7, 20, 10), utc(2026, 7, 25, 8)),  # Monday -> Saturday
    ],
)
def test_custom_weekend_mornings_window(moment, expected):
    settings = make_settings(hours="08:00-12:00 sat-sun")
    hours = settings.working_hours
    assert next_working_moment(moment, hours, settings.tz) == expected
    assert in_working_hours(expected, hours, settings.tz) is True


def test_custom_window_applies_to_the_nag_clock():
    settings = make_settings(hours="08:00-12:00 sat-sun")
    assert in_working_hours(utc(2026, 7, 20, 10), settings.working_hours, settings.tz) is False
    assert first_nag_at(utc(2026, 7, 18, 9), settings) == utc(2026, 7, 18, 11)
    assert first_nag_at(utc(2026, 7, 18, 11), settings) == utc(2026, 7, 19, 8)


def test_day_range_wrapping_round_the_week():
    settings = make_settings(hours="10:00-14:00 fri-mon")
    tuesday = utc(2026, 7, 14, 11)
    assert next_working_moment(tuesday, settings.working_hours, settings.tz) == utc(2026, 7, 17, 10)
    monday = utc(2026, 7, 20, 11)
    assert next_working_moment(monday, settings.working_hours, settings.tz) == monday


# --- time zones and DST --------------------------------------------------------------------------


def test_working_hours_are_read_in_the_workspace_time_zone():
    settings = make_settings("Europe/Berlin")
    hours, tz = settings.working_hours, settings.tz
    assert in_working_hours(utc(2026, 7, 15, 7, 30), hours, tz) is True  # 09:30 CEST
    assert in_working_hours(utc(2026, 7, 15, 15, 30), hours, tz) is False  # 17:30 CEST
    assert in_working_hours(utc(2026, 1, 14, 7, 30), hours, tz) is False  # 08:30 CET
    assert next_working_moment(utc(2026, 7, 15, 16), hours, tz) == utc(2026, 7, 16, 7)  # 09:00 CEST


def test_results_are_in_utc():
    settings = make_settings("Europe/Berlin")
    result = first_nag_at(berlin(2026, 7, 15, 16, 30), settings)
    assert result.utcoffset() == timedelta(0)
    assert result == utc(2026, 7, 16, 7)


def test_berlin_autumn_dst_change_defers_to_nine_local_time():
    """Fri 2026-10-23 16:30 CEST + 2h -> Mon 2026-10-26 09:00 CET: 08:00 UTC, not 07:00 or 09:00."""
    settings = make_settings("Europe/Berlin")
    result = first_nag_at(berlin(2026, 10, 23, 16, 30), settings)
    assert result == utc(2026, 10, 26, 8), local_text(result, BERLIN)
    assert result.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 10, 26, 9)


def test_berlin_spring_dst_change_defers_to_nine_local_time():
    """Fri 2026-03-27 16:30 CET + 2h -> Mon 2026-03-30 09:00 CEST = 07:00 UTC."""
    settings = make_settings("Europe/Berlin")
    result = first_nag_at(berlin(2026, 3, 27, 16, 30), settings)
    assert result == utc(2026, 3, 30, 7), local_text(result, BERLIN)
    assert result.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 30, 9)


def test_berlin_weekend_window_on_the_dst_sunday_itself():
    settings = make_settings("Europe/Berlin", hours="08:00-12:00 sat-sun")
    # Sat 2026-10-24 11:00 CEST + 2h -> Sun 2026-10-25 08:00 CET (the clocks went back at 03:00).
    assert first_nag_at(berlin(2026, 10, 24, 11), settings) == utc(2026, 10, 25, 7)
    # Sat 2026-03-28 11:00 CET + 2h -> Sun 2026-03-29 08:00 CEST (the clocks went forward at 02:00).
    assert first_nag_at(berlin(2026, 3, 28, 11), settings) == utc(2026, 3, 29, 6)


def test_new_york_spring_dst_change():
    """Fri 2026-03-06 16:00 EST + 2h -> Mon 2026-03-09 09:00 EDT = 13:00 UTC."""
    settings = make_settings("America/New_York")
    result = first_nag_at(new_york(2026, 3, 6, 16), settings)
    assert result == utc(2026, 3, 9, 13), local_text(result, NEW_YORK)
    hours, tz = settings.working_hours, settings.tz
    assert in_working_hours(utc(2026, 3, 9, 13, 30), hours, tz) is True  # 09:30 EDT
    assert in_working_hours(utc(2026, 3, 6, 13, 30), hours, tz) is False  # 08:30 EST


def test_new_york_autumn_dst_change():
    """Fri 2026-10-30 16:00 EDT + 2h -> Mon 2026-11-02 09:00 EST = 14:00 UTC."""
    settings = make_settings("America/New_York")
    result = first_nag_at(new_york(2026, 10, 30, 16), settings)
    assert result == utc(2026, 11, 2, 14), local_text(result, NEW_YORK)


@pytest.mark.parametrize(
    ("timezone", "sent", "expected_local"),
    [
        ("America/New_York", new_york(2026, 3, 8, 0), "Sun 2026-03-08 05:00 EDT"),
        ("America/New_York", new_york(2026, 11, 1, 0), "Sun 2026-11-01 03:00 EST"),
        ("Europe/Berlin", berlin(2026, 3, 29, 0), "Sun 2026-03-29 05:00 CEST"),
        ("Europe/Berlin", berlin(2026, 10, 25, 0), "Sun 2026-10-25 03:00 CET"),
    ],
)
def test_nag_interval_is_real_elapsed_time_across_a_dst_night(timezone, sent, expected_local):
    """`every` is a duration: 4 hours pass, whatever the wall clock does that night."""
    settings = make_settings(timezone, hours="always")
    following = following_nag_at(sent, settings)
    assert following - sent == timedelta(hours=4)
    assert local_text(following, ZoneInfo(timezone)) == expected_local


# --- escalation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("waited", "step"),
    [
        (timedelta(0), Step.PLAIN),
        (timedelta(hours=23, minutes=59), Step.PLAIN),
        (timedelta(days=1), Step.MENTION_GROUP),
        (timedelta(days=2, hours=23, minutes=59), Step.MENTION_GROUP),
        (timedelta(days=3), Step.DM_POSTER),
        (timedelta(days=10), Step.DM_POSTER),
    ],
)
def test_escalation_ladder_defaults(waited, step):
    settings = make_settings()
    opened = utc(2026, 7, 13, 9)
    assert escalation(opened, opened + waited, settings) is step


@pytest.mark.parametrize(
    ("waited", "step"),
    [
        (timedelta(hours=3, minutes=59), Step.PLAIN),
        (timedelta(hours=4), Step.MENTION_GROUP),
        (timedelta(hours=11), Step.MENTION_GROUP),
        (timedelta(hours=12), Step.DM_POSTER),
    ],
)
def test_escalation_ladder_custom_values(waited, step):
    settings = make_settings(escalate_after=timedelta(hours=4), dm_poster_after=timedelta(hours=12))
    opened = utc(2026, 7, 13, 9)
    assert escalation(opened, opened + waited, settings) is step


def test_escalation_steps_are_ordered_by_loudness():
    assert Step.PLAIN < Step.MENTION_GROUP < Step.DM_POSTER
    assert [int(step) for step in Step] == [0, 1, 2]


def test_escalation_compares_instants_not_wall_clocks():
    settings = make_settings("Europe/Berlin")
    opened = berlin(2026, 7, 15, 10)  # 08:00 UTC
    assert escalation(opened, utc(2026, 7, 16, 7, 59), settings) is Step.PLAIN
    assert escalation(opened, utc(2026, 7, 16, 8, 0), settings) is Step.MENTION_GROUP


# --- due dates -----------------------------------------------------------------------------------


def test_due_moment_is_the_start_of_working_hours_in_the_workspace_time_zone():
    settings = make_settings("Europe/Berlin")
    assert due_moment(date(2026, 7, 15), settings) == utc(2026, 7, 15, 7)  # 09:00 CEST
    assert due_moment(date(2026, 12, 15), settings) == utc(2026, 12, 15, 8)  # 09:00 CET
    late_starter = make_settings("America/New_York", hours="10:30-18:00")
    assert due_moment(date(2026, 7, 15), late_starter) == utc(2026, 7, 15, 14, 30)  # 10:30 EDT


def test_due_moment_is_local_midnight_when_always():
    assert due_moment(date(2026, 7, 15), make_settings("Europe/Berlin", hours="always")) == utc(2026, 7, 14, 22)
    assert due_moment(date(2026, 7, 15), make_settings(hours="always")) == utc(2026, 7, 15)


def test_due_schedule_default_offsets_and_overdue_step():
    settings = make_settings("Europe/Berlin")
    schedule = due_schedule(date(2026, 7, 16), settings)  # due Thursday
    assert schedule == [
        berlin(2026, 7, 13, 9),  # 3 days before: Monday 09:00
        berlin(2026, 7, 15, 9),  # 1 day before: Wednesday 09:00
        berlin(2026, 7, 17, 0),  # overdue: local midnight after the due day
    ]
    assert all(moment.utcoffset() == timedelta(0) for moment in schedule)


def test_due_schedule_when_always_uses_local_midnights():
    settings = make_settings("America/New_York", hours="always")
    assert due_schedule(date(2026, 7, 16), settings) == [
        new_york(2026, 7, 13),
        new_york(2026, 7, 15),
        new_york(2026, 7, 17),
    ]


def test_due_schedule_has_one_reminder_per_configured_offset():
    settings = make_settings(due_reminders=(timedelta(days=7), timedelta(days=2), timedelta(hours=1)))
    schedule = due_schedule(date(2026, 7, 23), settings)  # due Thursday, UTC, 09:00-17:00 mon-fri
    assert schedule == [
        utc(2026, 7, 16, 9),  # 7 days before
        utc(2026, 7, 21, 9),  # 2 days before
        utc(2026, 7, 23, 9),  # 1 hour before 09:00 is 08:00, before hours: 09:00 that day
        utc(2026, 7, 24, 0),  # overdue
    ]


def test_due_schedule_without_reminders_is_only_the_overdue_step():
    settings = make_settings("Europe/Berlin", due_reminders=())
    assert due_schedule(date(2026, 7, 16), settings) == [berlin(2026, 7, 17, 0)]
    assert due_steps_passed(date(2026, 7, 16), berlin(2026, 7, 16, 23, 59), settings) == (0, berlin(2026, 7, 17))
    assert due_steps_passed(date(2026, 7, 16), berlin(2026, 7, 17, 0, 0), settings) == (1, None)


def test_due_reminder_landing_on_a_weekend_moves_to_the_next_working_moment():
    settings = make_settings("Europe/Berlin")
    # Due Tuesday 2026-07-14: 3 days before is Saturday 09:00 -> Monday 09:00.
    assert due_schedule(date(2026, 7, 14), settings)[0] == berlin(2026, 7, 13, 9)
    # Due Monday 2026-07-13: 1 day before is Sunday 09:00 -> Monday 09:00.
    assert due_schedule(date(2026, 7, 13), settings)[1] == berlin(2026, 7, 13, 9)
    # Due Wednesday 2026-07-15: 3 days before is Sunday -> Monday; 1 day before is Tuesday, untouched.
    assert due_schedule(date(2026, 7, 15), settings)[:2] == [berlin(2026, 7, 13, 9), berlin(2026, 7, 14, 9)]


def test_due_schedule_overdue_step_is_local_midnight_across_dst():
    settings = make_settings("Europe/Berlin")
    assert due_schedule(date(2026, 10, 24), settings)[-1] == utc(2026, 10, 24, 22)  # Sun 00:00 CEST
    assert due_schedule(date(2026, 10, 25), settings)[-1] == utc(2026, 10, 25, 23)  # Mon 00:00 CET
    assert due_schedule(date(2026, 3, 28), settings)[-1] == utc(2026, 3, 28, 23)  # Sun 00:00 CET
    assert due_schedule(date(2026, 3, 29), settings)[-1] == utc(2026, 3, 29, 22)  # Mon 00:00 CEST


def test_due_reminders_keep_their_local_time_across_autumn_dst():
    """Due Mon 2026-10-26 in Berlin: "3 days before" is Fri 2026-10-23 09:00 CEST (07:00 UTC).

    Subtracting 72 hours from 09:00 CET in UTC gives 10:00 CEST on the Friday: the reminder
    moves by an hour because of the DST change, which the policy module promises never happens.
    """
    settings = make_settings("Europe/Berlin")
    schedule = due_schedule(date(2026, 10, 26), settings)
    assert schedule[0] == utc(2026, 10, 23, 7), local_text(schedule[0], BERLIN)
    assert schedule[1] == utc(2026, 10, 26, 8)  # Sunday 09:00 -> Monday 09:00 CET


def test_due_reminders_keep_their_local_day_across_spring_dst_when_always():
    """Due Mon 2026-03-30 in Berlin, always: reminders at local midnight on Fri 27th and Sun 29th.

    Subtracting in UTC puts them at 23:00 the evening before (Thu 26th, Sat 28th), a different day.
    """
    settings = make_settings("Europe/Berlin", hours="always")
    schedule = due_schedule(date(2026, 3, 30), settings)
    assert [local_text(moment, BERLIN) for moment in schedule] == [
        "Fri 2026-03-27 00:00 CET",
        "Sun 2026-03-29 00:00 CET",  # the clocks change at 02:00, after midnight
        "Tue 2026-03-31 00:00 CEST",
    ]


def test_due_schedule_for_a_sunday_due_date_stays_in_order():
    """Due Sun 2026-06-14 with mon-fri hours: "1 day before" (Sat 09:00) must not land after overdue.

    The reminder is pushed to Mon 09:00, after the overdue step at Mon 00:00, so the schedule is
    out of order and the "due soon" reminder would come after the task is overdue.
    """
    settings = make_settings("Europe/Berlin")
    schedule = due_schedule(date(2026, 6, 14), settings)
    overdue = schedule[-1]
    assert overdue == berlin(2026, 6, 15, 0)
    assert all(reminder <= overdue for reminder in schedule[:-1]), [local_text(m, BERLIN) for m in schedule]
    assert schedule == sorted(schedule)


def test_due_steps_passed_next_step_is_never_in_the_past_for_a_sunday_due_date():
    settings = make_settings("Europe/Berlin")
    now = berlin(2026, 6, 15, 0, 30)  # just after the task turned overdue
    passed, upcoming = due_steps_passed(date(2026, 6, 14), now, settings)
    assert upcoming is None or upcoming > now, (passed, upcoming and local_text(upcoming, BERLIN))


def test_due_steps_passed_counts_steps_and_names_the_next():
    settings = make_settings("Europe/Berlin")
    due = date(2026, 7, 16)
    first, second, overdue = due_schedule(due, settings)
    assert due_steps_passed(due, berlin(2026, 7, 1), settings) == (0, first)
    assert due_steps_passed(due, first - timedelta(seconds=1), settings) == (0, first)
    assert due_steps_passed(due, first, settings) == (1, second)  # a step at `now` has passed
    assert due_steps_passed(due, berlin(2026, 7, 14, 12), settings) == (1, second)
    assert due_steps_passed(due, second, settings) == (2, overdue)
    assert due_steps_passed(due, berlin(2026, 7, 16, 23, 59), settings) == (2, overdue)
    assert due_steps_passed(due, overdue, settings) == (3, None)
    assert due_steps_passed(due, berlin(2026, 9, 1), settings) == (3, None)


def test_due_steps_passed_for_a_date_already_close_counts_the_missed_steps():
    settings = make_settings("Europe/Berlin")
    # Due date set on Wednesday afternoon for Thursday: both reminders are already in the past.
    passed, upcoming = due_steps_passed(date(2026, 7, 16), berlin(2026, 7, 15, 15), settings)
    assert passed == 2
    assert upcoming == berlin(2026, 7, 17, 0)


# --- overdue and the local day -------------------------------------------------------------------


def test_is_overdue_from_the_day_after_the_due_date():
    settings = make_settings()
    due = date(2026, 7, 15)
    assert is_overdue(due, False, utc(2026, 7, 14, 12), settings) is False
    assert is_overdue(due, False, utc(2026, 7, 15, 0), settings) is False
    assert is_overdue(due, False, utc(2026, 7, 15, 23, 59), settings) is False
    assert is_overdue(due, False, utc(2026, 7, 16, 0), settings) is True
    assert is_overdue(due, False, utc(2026, 8, 1), settings) is True


def test_is_overdue_false_when_finished_or_without_a_date():
    settings = make_settings()
    assert is_overdue(date(2026, 7, 15), True, utc(2026, 7, 20), settings) is False
    assert is_overdue(None, False, utc(2026, 7, 20), settings) is False
    assert is_overdue(None, True, utc(2026, 7, 20), settings) is False


def test_is_overdue_uses_the_workspace_local_day():
    berlin_settings = make_settings("Europe/Berlin")
    due = date(2026, 7, 15)
    assert is_overdue(due, False, utc(2026, 7, 15, 21, 59), berlin_settings) is False  # 23:59 CEST
    assert is_overdue(due, False, utc(2026, 7, 15, 22, 0), berlin_settings) is True  # 00:00 CEST
    assert is_overdue(date(2026, 1, 15), False, utc(2026, 1, 15, 23, 30), berlin_settings) is True  # 00:30 CET
    # In New York 02:00 UTC on the 16th is still the evening of the 15th.
    ny_settings = make_settings("America/New_York")
    assert is_overdue(due, False, utc(2026, 7, 16, 2), ny_settings) is False
    assert is_overdue(due, False, utc(2026, 7, 16, 4), ny_settings) is True  # 00:00 EDT


def test_local_day_in_the_workspace_time_zone():
    assert local_day(utc(2026, 7, 15, 23, 30), make_settings("Europe/Berlin")) == date(2026, 7, 16)
    assert local_day(utc(2026, 7, 15, 23, 30), make_settings()) == date(2026, 7, 15)
    assert local_day(utc(2026, 7, 16, 2), make_settings("America/New_York")) == date(2026, 7, 15)
    # The night the clocks go back, 22:30 UTC is 23:30 CET, still the 25th.
    assert local_day(utc(2026, 10, 25, 22, 30), make_settings("Europe/Berlin")) == date(2026, 10, 25)


# --- digests -------------------------------------------------------------------------------------


def test_digest_due_at_and_after_the_digest_time_on_a_digest_day():
    settings = make_settings()
    assert DigestSettings().at == time(9) and DigestSettings().days == frozenset(range(5))
    assert digest_due(utc(2026, 7, 15, 8, 59), settings) is False
    assert digest_due(utc(2026, 7, 15, 9, 0), settings) is True
    assert digest_due(utc(2026, 7, 15, 18, 0), settings) is True
    assert digest_due(utc(2026, 7, 15, 23, 59), settings) is True


@pytest.mark.parametrize("moment", [utc(2026, 7, 18, 10), utc(2026, 7, 19, 9), utc(2026, 7, 19, 23, 59)])
def test_digest_not_due_on_the_weekend(moment):
    assert digest_due(moment, make_settings()) is False


def test_digest_due_uses_the_workspace_time_zone():
    settings = make_settings("Europe/Berlin")
    assert digest_due(utc(2026, 7, 15, 6, 59), settings) is False  # 08:59 CEST
    assert digest_due(utc(2026, 7, 15, 7, 0), settings) is True  # 09:00 CEST
    assert digest_due(utc(2026, 1, 14, 7, 30), settings) is False  # 08:30 CET
    assert digest_due(utc(2026, 1, 14, 8, 0), settings) is True  # 09:00 CET
    # Friday 23:30 UTC is already Saturday in Berlin: no digest, though in UTC it is Friday evening.
    assert digest_due(utc(2026, 7, 17, 23, 30), settings) is False
    assert digest_due(utc(2026, 7, 17, 23, 30), make_settings()) is True
    # Sunday 22:00 EDT is Monday 02:00 UTC: no digest in New York.
    assert digest_due(utc(2026, 7, 20, 2), make_settings("America/New_York")) is False


def test_digest_custom_time_and_days():
    settings = make_settings("Europe/Berlin").model_copy(
        update={"digest": DigestSettings(at=time(10, 30), days=frozenset({5, 6}))}
    )
    assert digest_due(berlin(2026, 7, 18, 10, 29), settings) is False  # Saturday
    assert digest_due(berlin(2026, 7, 18, 10, 30), settings) is True
    assert digest_due(berlin(2026, 7, 19, 12), settings) is True  # Sunday
    assert digest_due(berlin(2026, 7, 20, 12), settings) is False  # Monday
    assert (
        digest_due(berlin(2026, 7, 20, 12), settings.model_copy(update={"digest": DigestSettings(days=frozenset())}))
        is False
    )


# --- scenarios with a frozen clock ---------------------------------------------------------------


def test_unclaimed_task_walks_the_ladder_across_a_weekend_and_dst_then_is_released():
    """Berlin, 09:00-17:00 mon-fri: the task opens Thu 2026-10-22 13:00 CEST; the clocks go back on Sunday."""
    settings = make_settings("Europe/Berlin")
    hours, tz = settings.working_hours, settings.tz
    opened_local = berlin(2026, 10, 22, 13)
    seen: list[tuple[str, Step]] = []
    with freeze_time(opened_local) as frozen:
        opened = datetime.now(UTC)
        assert opened == utc(2026, 10, 22, 11)
        upcoming = first_nag_at(opened, settings)
        for _ in range(5):
            assert upcoming > datetime.now(UTC)
            frozen.move_to(upcoming)
            now = datetime.now(UTC)
            assert now == upcoming
            assert in_working_hours(now, hours, tz)
            seen.append((local_text(now, BERLIN), escalation(opened, now, settings)))
            upcoming = following_nag_at(now, settings)

        assert seen == [
            ("Thu 2026-10-22 15:00 CEST", Step.PLAIN),  # 2h after opening
            ("Fri 2026-10-23 09:00 CEST", Step.PLAIN),  # 19:00 waits for the morning
            ("Fri 2026-10-23 13:00 CEST", Step.MENTION_GROUP),  # exactly 1 day unclaimed
            ("Mon 2026-10-26 09:00 CET", Step.DM_POSTER),  # 17:00 Friday waits over the weekend
            ("Mon 2026-10-26 13:00 CET", Step.DM_POSTER),
        ]
        assert local_day(datetime.now(UTC), settings) == date(2026, 10, 26)

        # Someone claims, then releases on Monday at 14:00 CET: the clock restarts from there.
        frozen.move_to(berlin(2026, 10, 26, 14))
        released = datetime.now(UTC)
        assert released == utc(2026, 10, 26, 13)
        first_again = first_nag_at(released, settings)
        assert first_again == released + settings.nag.first_after == utc(2026, 10, 26, 15)
        assert first_again != following_nag_at(utc(2026, 10, 26, 12), settings)  # not the old cadence
        frozen.move_to(first_again)
        assert escalation(released, datetime.now(UTC), settings) is Step.PLAIN
        assert escalation(opened, datetime.now(UTC), settings) is Step.DM_POSTER  # the old clock would DM


def test_claimed_task_with_a_due_date_walks_its_due_steps():
    """Berlin, due Thu 2026-07-16; each tick acts on the steps passed and sleeps until the next one."""
    settings = make_settings("Europe/Berlin")
    due = date(2026, 7, 16)
    ticks: list[tuple[str, int, bool]] = []
    with freeze_time(berlin(2026, 7, 9, 11)) as frozen:  # due date set a week ahead
        passed, upcoming = due_steps_passed(due, datetime.now(UTC), settings)
        assert passed == 0
        assert is_overdue(due, False, datetime.now(UTC), settings) is False
        while upcoming is not None:
            frozen.move_to(upcoming)
            now = datetime.now(UTC)
            previous = passed
            passed, upcoming = due_steps_passed(due, now, settings)
            assert passed == previous + 1  # one step per tick, none skipped or repeated
            ticks.append((local_text(now, BERLIN), passed, is_overdue(due, False, now, settings)))
        assert ticks == [
            ("Mon 2026-07-13 09:00 CEST", 1, False),
            ("Wed 2026-07-15 09:00 CEST", 2, False),
            ("Fri 2026-07-17 00:00 CEST", 3, True),
        ]
        assert is_overdue(due, True, datetime.now(UTC), settings) is False  # done: no longer overdue


def test_the_offset_clock_moves_on_only_when_told_and_never_back():
    from bot.clock import OffsetClock

    clock = OffsetClock(timedelta(hours=1))
    with freeze_time("2026-12-01 10:00:00"):
        assert clock.now() == datetime(2026, 12, 1, 11, tzinfo=UTC)
        assert clock.advance(timedelta(days=1)) == datetime(2026, 12, 2, 11, tzinfo=UTC)
        with pytest.raises(ValueError):
            clock.advance(timedelta(hours=-1))
    assert clock.offset == timedelta(days=1, hours=1)

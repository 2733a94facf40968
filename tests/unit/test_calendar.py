"""The calendar entry of an event task: the .ics Dibs writes with `icalendar`, read back with its parser, and
the Google Calendar link."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.staffing.calendar import (
    AllDay,
    CalendarEntry,
    Timed,
    describe_when,
    entry_uid,
    event_time,
    google_calendar_link,
    ics_entry,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 27, 14, 30, 5, tzinfo=UTC)
LINK = "https://acme.slack.com/archives/C111/p1700000000000100"
WINTER = Timed(datetime(2026, 12, 12, 8, tzinfo=UTC), datetime(2026, 12, 12, 16, tzinfo=UTC))
SUMMER = Timed(datetime(2027, 7, 3, 7, tzinfo=UTC), datetime(2027, 7, 3, 15, 30, tzinfo=UTC))
# A title people could type: TEXT's specials, a line break, and 200 characters of one, two, three and four
# octets each, so that a fold would split a character if it could.
AWKWARD = "Booth, hall 3; bring \\ the banner\nand flyers " + "é漢🎪a" * 50


def entry(when: Timed | AllDay | None = WINTER, **changes: object) -> CalendarEntry:
    fields: dict[str, object] = dict(
        team_id="T123", task_id=42, title="Booth at Springfield Expo", kind="event", when=when, zone=BERLIN,
        sequence=0, place="Hall 3, stand 12", permalink=LINK,
    )  # fmt: skip
    fields.update(changes)
    return CalendarEntry(**fields)  # type: ignore[arg-type]


def parsed(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_timed_event_in_winter_is_at_its_berlin_time():
    calendar, event = parsed(ics_entry(entry(), NOW))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] and calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "REQUEST" and event["STATUS"] == "CONFIRMED"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2026, 12, 12, 9, tzinfo=BERLIN) and end == datetime(2026, 12, 12, 17, tzinfo=BERLIN)
    assert (start.hour, end.hour) == (9, 17) and event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["SUMMARY"]) == "Booth at Springfield Expo" and str(event["LOCATION"]) == "Hall 3, stand 12"
    assert str(event["DESCRIPTION"]) == f"Event: #42 in Slack\n{LINK}" and str(event["URL"]) == LINK


def test_a_timed_event_in_summer_keeps_summer_time():
    _, event = parsed(ics_entry(entry(SUMMER), NOW))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2027, 7, 3, 9, tzinfo=BERLIN) and start.utcoffset() == timedelta(hours=2)
    assert end == datetime(2027, 7, 3, 17, 30, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("when", "offsets"),
    [
        (WINTER, [timedelta(hours=1)] * 2),
        (SUMMER, [timedelta(hours=2)] * 2),
        # Across the end of summer time (25 Oct 2026, 03:00 CEST becomes 02:00 CET).
        (Timed(datetime(2026, 10, 24, 20, tzinfo=UTC), datetime(2026, 10, 25, 10, tzinfo=UTC)),
         [timedelta(hours=2), timedelta(hours=1)]),
        # Across the start of summer time after 2038 (25 Mar 2040, 02:00 CET becomes 03:00 CEST), where
        # icalendar's default span of a VTIMEZONE ends.
        (Timed(datetime(2040, 3, 24, 20, tzinfo=UTC), datetime(2040, 3, 25, 10, tzinfo=UTC)),
         [timedelta(hours=1), timedelta(hours=2)]),
    ],
)  # fmt: skip
def test_the_vtimezone_alone_reads_the_event_right(when, offsets):
    """A calendar that does not know the TZID reads the times with the VTIMEZONE Dibs wrote."""
    calendar, event = parsed(ics_entry(entry(when), NOW))
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    own = zone.to_tz(lookup_tzid=False)
    for name, moment, offset in (("DTSTART", when.start, offsets[0]), ("DTEND", when.end, offsets[1])):
        wall = event.decoded(name).replace(tzinfo=None)
        assert wall.replace(tzinfo=own) == moment and wall.replace(tzinfo=own).utcoffset() == offset


def test_an_all_day_event_is_its_date_and_ends_the_next_day():
    calendar, event = parsed(ics_entry(entry(AllDay(date(2026, 12, 12))), NOW))
    assert event.decoded("DTSTART") == date(2026, 12, 12) and event.decoded("DTEND") == date(2026, 12, 13)
    assert event["DTSTART"].params["VALUE"] == "DATE" and not calendar.walk("VTIMEZONE")


def test_the_uid_is_the_same_across_updates_and_the_sequence_moves():
    _, first = parsed(ics_entry(entry(), NOW))
    _, moved = parsed(ics_entry(entry(SUMMER, sequence=3), NOW + timedelta(days=1)))
    _, other = parsed(ics_entry(entry(task_id=43), NOW))
    _, elsewhere = parsed(ics_entry(entry(team_id="T999"), NOW))
    assert first["UID"] == moved["UID"] == entry_uid("T123", 42) == "task-42-T123@dibs"
    assert len({first["UID"], other["UID"], elsewhere["UID"]}) == 3
    assert (first["SEQUENCE"], moved["SEQUENCE"]) == (0, 3)


def test_a_cancellation_says_so():
    calendar, event = parsed(ics_entry(entry(sequence=2), NOW, cancel=True))
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["UID"] == "task-42-T123@dibs" and event["SEQUENCE"] == 2


def test_a_cancellation_of_an_event_that_lost_its_date_has_no_times():
    calendar, event = parsed(ics_entry(entry(None), NOW, cancel=True))
    assert calendar["METHOD"] == "CANCEL" and "DTSTART" not in event and event["UID"] == "task-42-T123@dibs"
    with pytest.raises(ValueError, match="no date"):
        ics_entry(entry(None), NOW)


def test_awkward_text_round_trips_and_every_line_is_folded_with_crlf():
    data = ics_entry(entry(title=AWKWARD, place="Hall; 3,\nback\\door " + "ü" * 90), NOW)
    _, event = parsed(data)
    assert str(event["SUMMARY"]) == AWKWARD and str(event["LOCATION"]) == "Hall; 3,\nback\\door " + "ü" * 90
    assert data.endswith(b"\r\n") and data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75 and any(len(line) >= 73 for line in lines)
    for line in lines:
        line.decode()  # no character split across a fold


def test_typed_text_is_escaped_and_loses_its_control_characters():
    """TEXT's specials escaped by the rules (RFC 5545 3.3.11); control characters, which icalendar would write
    as they are, left out; every kind of line break one `\\n`."""
    data = ics_entry(entry(title="a\\b;c,d\ne\r\nf\rg\x07h\x00"), NOW)
    assert b"\r\nSUMMARY:a\\\\b\\;c\\,d\\ne\\nf\\ngh\r\n" in data.replace(b"\r\n ", b"")
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data)
    _, event = parsed(data)
    assert str(event["SUMMARY"]) == "a\\b;c,d\ne\nf\ngh"


def test_the_vtimezone_of_a_zone_with_summer_time_has_both_observances():
    """Even for a winter evening the VTIMEZONE spans a whole year: Berlin's STANDARD and DAYLIGHT, each with its
    offsets, so a calendar that builds the zone from it gets summer time right too."""
    calendar, _ = parsed(ics_entry(entry(), NOW))
    [zone] = calendar.walk("VTIMEZONE")
    standard, daylight = zone.walk("STANDARD"), zone.walk("DAYLIGHT")
    assert {part["TZOFFSETTO"].td for part in standard} == {timedelta(hours=1)}
    assert {part["TZOFFSETTO"].td for part in daylight} == {timedelta(hours=2)}
    own = zone.to_tz(lookup_tzid=False)
    assert datetime(2026, 7, 1, 12, tzinfo=own).utcoffset() == timedelta(hours=2)
    assert datetime(2026, 12, 12, 9, tzinfo=own).utcoffset() == timedelta(hours=1)


def test_no_end_means_one_hour_and_the_start_wins_over_the_due_date():
    start = datetime(2026, 12, 12, 8, tzinfo=UTC)
    assert event_time(date(2026, 12, 1), start, None) == Timed(start, start + timedelta(hours=1))
    assert event_time(None, start, start - timedelta(hours=2)) == Timed(start, start + timedelta(hours=1))
    assert event_time(date(2026, 12, 1), None, None) == AllDay(date(2026, 12, 1))
    assert event_time(None, None, None) is None


def test_the_google_link_carries_utc_times_and_the_zone():
    link = google_calendar_link(entry(title=AWKWARD))
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://calendar.google.com/calendar/render"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["action"] == "TEMPLATE" and query["ctz"] == "Europe/Berlin" and query["text"] == AWKWARD
    assert query["dates"] == "20261212T080000Z/20261212T160000Z" and query["location"] == "Hall 3, stand 12"
    assert query["details"] == f"Event: #42 in Slack\n{LINK}"
    assert " " not in link and "|" not in link and ">" not in link  # safe inside a Slack <link|label>


def test_the_google_link_of_an_all_day_event():
    query = parse_qs(urlsplit(google_calendar_link(entry(AllDay(date(2026, 12, 31)), place=None))).query)
    assert query["dates"] == ["20261231/20270101"] and "location" not in query


def test_the_time_in_words():
    assert describe_when(WINTER, BERLIN) == "Sat 12 Dec 2026, 09:00–17:00 (Europe/Berlin)"
    assert describe_when(AllDay(date(2026, 12, 12)), BERLIN) == "Sat 12 Dec 2026 (all day)"
    overnight = Timed(datetime(2026, 12, 12, 20, tzinfo=UTC), datetime(2026, 12, 13, 2, tzinfo=UTC))
    assert describe_when(overnight, BERLIN) == "Sat 12 Dec 2026, 21:00–Sun 13 Dec 2026, 03:00 (Europe/Berlin)"


def test_a_workspace_in_utc():
    """UTC times are written in UTC's own form (`…Z`, RFC 5545 3.3.5), with no TZID and no VTIMEZONE."""
    calendar, event = parsed(ics_entry(entry(zone=ZoneInfo("UTC")), NOW))
    assert event.decoded("DTSTART") == WINTER.start and event.decoded("DTEND") == WINTER.end
    assert "TZID" not in event["DTSTART"].params and not calendar.walk("VTIMEZONE")

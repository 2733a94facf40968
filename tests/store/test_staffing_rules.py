"""Staffing rules with freezegun for time, on SQLite and PostgreSQL: roles and seats, offers that expire in
working hours (never past the event), the roster's moment and its free seats, swaps, take-overs and undo."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from bot.settings import DEFAULT_KINDS, Settings, parse_working_hours
from bot.staffing import offers
from bot.staffing import seating as staffing
from bot.tasks import undo
from bot.tasks.errors import DibsError, NotAllowed
from bot.tasks.seats import seats_from_text
from bot.tasks.service import NewTask
from bot.timing import add_working_time, offer_deadline, roster_moment
from store.enums import Purpose, Via
from store.models import OutboxPost, Task, TaskEvent
from tests.support.services import (
    claim_task,
    create_task,
    get_task,
    in_transaction,
    release_claim,
    services_on,
)

TEAM, CHANNEL, POSTER = "T1", "C1", "UPOSTER"
BERLIN = "Europe/Berlin"
# Tuesday 2026-12-01 10:00 in Berlin (09:00 UTC): inside working hours (09:00-17:00 mon-fri).
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
EVENT = DEFAULT_KINDS["event"].model_copy(update={"roles": (("lead", 1), ("staff", 2)), "slots": 3})
SETTINGS = Settings(
    timezone=BERLIN,
    working_hours=parse_working_hours("09:00-17:00 mon-fri"),
    kinds={**DEFAULT_KINDS, "event": EVENT},
)

take_offer = in_transaction(offers.take_offer)
pass_offer = in_transaction(offers.pass_offer)
set_event_time = in_transaction(staffing.set_event_time)
set_roles = in_transaction(staffing.set_roles)
ask_swap = in_transaction(staffing.ask_swap)
answer_swap = in_transaction(staffing.answer_swap)
take_over = in_transaction(staffing.take_over)
undo_change = in_transaction(undo.undo)


@pytest.fixture
def svc(database_url):
    with services_on(database_url, SETTINGS) as services:
        yield services


def new_event(svc, title="Booth at the Springfield Expo", due_on=None, ts="1.1"):
    task = create_task(
        svc,
        NewTask(team_id=TEAM, channel_id=CHANNEL, kind="event", title=title, slots=2, posted_by=POSTER,
                message_ts=ts, source=Via.MESSAGE, due_on=due_on),
    )  # fmt: skip
    assert task is not None
    return task


def stored(svc, task_id=1) -> Task:
    with svc.db() as session:
        task = session.get(Task, task_id)
        assert task is not None
        session.expunge(task)
        return task


def outbox(svc, purpose: Purpose) -> list[OutboxPost]:
    with svc.db() as session:
        return list(session.scalars(select(OutboxPost).where(OutboxPost.purpose == purpose).order_by(OutboxPost.id)))


def actions(svc, task_id=1) -> list[tuple[str, str]]:
    with svc.db() as session:
        rows = session.scalars(select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id))
        return [(e.actor, e.action) for e in rows]


# --- roles and seats ----------------------------------------------------------------------


def test_a_post_can_override_a_roles_seats():
    assert seats_from_text(EVENT, "Booth on Saturday, 3 staff please") == [("lead", 1), ("staff", 3)]
    assert seats_from_text(EVENT, "2 leads and 4 staff") == [("lead", 2), ("staff", 4)]
    assert seats_from_text(EVENT, "Booth at Expo 2027") == [("lead", 1), ("staff", 2)]  # a year is no count


def test_claims_take_the_role_asked_for_or_the_first_with_a_free_seat(svc):
    with freeze_time(T0):
        new_event(svc)
        assert claim_task(svc, TEAM, 1, "U1", Via.REACTION).seat == "lead"
        assert claim_task(svc, TEAM, 1, "U2", Via.REACTION).seat == "staff"  # lead is full
        assert claim_task(svc, TEAM, 1, "U3", Via.BUTTON, seat="lead").outcome == "waitlisted"
        assert claim_task(svc, TEAM, 1, "U4", Via.COMMAND, seat="staff").outcome == "claimed"
        with pytest.raises(DibsError, match="no role `chef`; its roles are lead, staff"):
            claim_task(svc, TEAM, 1, "U5", Via.COMMAND, seat="chef")
    task = get_task(svc, TEAM, 1)
    lead, staff = task.seating
    assert (lead.owners, lead.waiting, staff.owners) == (("U1",), ("U3",), ("U2", "U4"))
    assert task.status == "claimed" and task.free_slots == 0


def test_roles_can_grow_but_never_below_the_people_holding_them(svc):
    with freeze_time(T0):
        new_event(svc)
        for user in ("U1", "U2", "U3"):
            claim_task(svc, TEAM, 1, user, Via.COMMAND, seat="staff")  # U3 waits
        with pytest.raises(DibsError, match="2 people hold staff seats"):
            set_roles(svc, TEAM, 1, POSTER, [("staff", 1)])
        with pytest.raises(NotAllowed):
            set_roles(svc, TEAM, 1, "U9", [("staff", 3)])
        task = set_roles(svc, TEAM, 1, POSTER, [("staff", 3), ("setup", 1)])
    staff = task.seating[1]
    assert [s.name for s in task.seating] == ["lead", "staff", "setup"] and task.slots == 5
    assert staff.owners == ("U1", "U2") and [u for u, _ in staff.offered] == ["U3"]  # the new seat is offered


# --- offers -------------------------------------------------------------------------------


def test_working_time_runs_only_in_working_hours():
    hours, tz = SETTINGS.working_hours, SETTINGS.tz
    friday_4pm = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
    # 24 working hours = three 8-hour days: 1 h on Friday, Monday, Tuesday, then 7 h on Wednesday.
    assert add_working_time(friday_4pm, timedelta(hours=24), hours, tz) == datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert add_working_time(saturday, timedelta(hours=2), hours, tz) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    always = parse_working_hours("always")
    assert add_working_time(saturday, timedelta(hours=2), always, tz) == saturday + timedelta(hours=2)


def test_an_offer_never_runs_past_the_events_start():
    starts = T0 + timedelta(hours=5)
    assert offer_deadline(T0, starts, SETTINGS) == starts
    assert offer_deadline(T0, None, SETTINGS) == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # Friday 10:00 Berlin


def test_a_freed_seat_is_offered_and_expires_to_the_next_in_line(svc):
    with freeze_time(T0):
        new_event(svc)
        for user in ("U1", "U2", "U3", "U4"):
            claim_task(svc, TEAM, 1, user, Via.COMMAND, seat="staff")  # U3 and U4 wait
        release_claim(svc, TEAM, 1, "U1", Via.COMMAND)
    task = get_task(svc, TEAM, 1)
    [(offered_to, until)] = task.seating[1].offered
    assert offered_to == "U3" and until == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # 24 working hours later
    [dm] = outbox(svc, Purpose.OFFER)
    assert dm.channel_id == "U3" and "held for you until Fri 04 Dec 10:00 (Europe/Berlin)" in dm.text
    with freeze_time(until - timedelta(minutes=1)):
        assert offers.expire_offers(svc, until - timedelta(minutes=1)) == 0
    with freeze_time(until):
        assert offers.expire_offers(svc, until) == 1
    task = get_task(svc, TEAM, 1)
    assert [u for u, _ in task.seating[1].offered] == ["U4"] and task.waitlist == ()
    assert ("U3", "offer_expired") in actions(svc)
    with freeze_time(until + timedelta(minutes=5)), pytest.raises(DibsError, match="no longer held for you"):
        take_offer(svc, TEAM, 1, "U3", Via.BUTTON)
    with freeze_time(until + timedelta(minutes=5)):
        taken = take_offer(svc, TEAM, 1, "U4", Via.BUTTON)
    assert taken.seating[1].owners == ("U2", "U4") and taken.offered == ()


def test_passing_asks_the_next_person_and_with_nobody_left_the_seat_is_free(svc):
    with freeze_time(T0):
        new_event(svc)
        for user in ("U1", "U2", "U3"):
            claim_task(svc, TEAM, 1, user, Via.COMMAND, seat="staff")
        release_claim(svc, TEAM, 1, "U2", Via.COMMAND)
        task = pass_offer(svc, TEAM, 1, "U3", Via.BUTTON)
    assert task.seating[1].owners == ("U1",) and task.offered == () and task.free_slots == 2


def test_an_offer_for_an_event_about_to_start_gives_the_seat_at_once(svc):
    with freeze_time(T0):
        new_event(svc)
        for user in ("U1", "U2", "U3"):
            claim_task(svc, TEAM, 1, user, Via.COMMAND, seat="staff")
        set_event_time(svc, TEAM, 1, POSTER, date(2026, 12, 1), (time(10, 0), time(17, 0)), "Hall 3")  # in 0 s
        release_claim(svc, TEAM, 1, "U1", Via.COMMAND)
    assert get_task(svc, TEAM, 1).seating[1].owners == ("U2", "U3")


# --- the roster ---------------------------------------------------------------------------


def test_the_roster_is_due_a_day_before_the_event_and_names_the_free_seats(svc):
    with freeze_time(T0):
        new_event(svc)
        set_event_time(svc, TEAM, 1, POSTER, date(2026, 12, 12), (time(9, 0), time(17, 0)), "Hall <!channel> 3")
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="staff")
    starts = datetime(2026, 12, 12, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    assert stored(svc).roster_at == starts - timedelta(days=1)
    with freeze_time(starts - timedelta(days=1, minutes=1)):
        assert staffing.post_rosters(svc, starts - timedelta(days=1, minutes=1)) == 0
    with freeze_time(starts - timedelta(days=1)):
        assert staffing.post_rosters(svc, starts - timedelta(days=1)) == 1
    [roster] = outbox(svc, Purpose.ROSTER)
    assert roster.thread_ts == "1.1"
    assert "Sat 12 Dec 09:00–17:00 (Europe/Berlin) · Hall &lt;!channel&gt; 3" in roster.text
    assert "• lead: *1 free seat*" in roster.text and "• staff: <@U1>, *1 free seat*" in roster.text
    task = stored(svc)
    assert task.roster_at is None and task.next_nag_at is not None  # free seats are now reminded about
    with freeze_time(starts - timedelta(hours=20)):
        claim_task(svc, TEAM, 1, "U2", Via.COMMAND, seat="staff")
        claim_task(svc, TEAM, 1, "U3", Via.COMMAND, seat="lead")
    assert stored(svc).next_nag_at is None  # every seat held: quiet again


def test_no_roster_for_a_task_posted_after_its_moment_or_once_the_event_began():
    starts = T0 + timedelta(hours=3)
    assert roster_moment(starts, T0, SETTINGS) == T0  # the moment passed while the event is ahead: now
    assert roster_moment(starts, starts, SETTINGS) is None
    off = SETTINGS.model_copy(update={"staffing": SETTINGS.staffing.model_copy(update={"roster_before": None})})
    assert roster_moment(starts, T0, off) is None


def test_a_new_event_dated_tomorrow_gets_no_roster_its_thread_is_one(svc):
    with freeze_time(T0):
        new_event(svc, due_on=date(2026, 12, 2))
        new_event(svc, due_on=date(2026, 12, 9), ts="1.2")
    assert stored(svc, 1).roster_at is None
    assert stored(svc, 2).roster_at == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)


# --- swaps, take-overs, undo --------------------------------------------------------------


def test_a_swap_moves_the_seat_only_when_accepted(svc):
    with freeze_time(T0):
        new_event(svc)
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
        with pytest.raises(NotAllowed):
            ask_swap(svc, TEAM, 1, "U9", "U7")  # holds no seat
        ask_swap(svc, TEAM, 1, "U1", "U7")
        assert get_task(svc, TEAM, 1).seating[0].owners == ("U1",)  # still theirs
        [asked] = outbox(svc, Purpose.SWAP)
        assert asked.channel_id == "U7"
        with pytest.raises(DibsError, match="no longer works"):
            answer_swap(svc, TEAM, 1, "U8", True)  # not asked of U8
        task, asker = answer_swap(svc, TEAM, 1, "U7", True)
        with pytest.raises(DibsError, match="already answered"):
            answer_swap(svc, TEAM, 1, "U7", True)
    assert task.seating[0].owners == ("U7",) and asker == "U1"
    [took] = [row for row in outbox(svc, Purpose.DM) if row.channel_id == "U1"]
    assert "<@U7> took your seat" in took.text


def test_a_declined_swap_leaves_the_seat_and_one_asked_of_a_seat_since_given_up_is_void(svc):
    with freeze_time(T0):
        new_event(svc)
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
        ask_swap(svc, TEAM, 1, "U1", "U7")
        ask_swap(svc, TEAM, 1, "U1", "U8")
        task, _ = answer_swap(svc, TEAM, 1, "U7", False)
        assert task.seating[0].owners == ("U1",)
        assert "<@U7> can't take your seat" in outbox(svc, Purpose.DM)[-1].text
        release_claim(svc, TEAM, 1, "U1", Via.COMMAND)
        with pytest.raises(DibsError, match="no longer holds that seat"):
            answer_swap(svc, TEAM, 2, "U8", True)
    assert get_task(svc, TEAM, 1).owners == ()


def test_the_poster_or_an_admin_takes_a_seat_over_and_the_thread_says_who(svc):
    with freeze_time(T0):
        new_event(svc)
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="staff")
        with pytest.raises(NotAllowed):
            take_over(svc, TEAM, 1, "U1", False, "U1", "U2")  # an owner asks instead: /dibs swap
        take_over(svc, TEAM, 1, "UADMIN", True, "U1", "U2")
        task = take_over(svc, TEAM, 1, POSTER, False, "U2", "U3")
    assert task.seating[1].owners == ("U3",) and task.seating[1].placed_by == (("U3", POSTER),)
    assert (POSTER, "taken_over") in actions(svc)


def test_undo_works_for_its_author_for_five_minutes_while_nothing_else_changed(svc):
    with freeze_time(T0):
        new_event(svc)
        first = claim_task(svc, TEAM, 1, "U1", Via.BUTTON, seat="lead")
        with pytest.raises(NotAllowed):
            undo_change(svc, TEAM, first.undo, "U2")
        undone = undo_change(svc, TEAM, first.undo, "U1")
        assert undone.owners == () and undone.status == "open"
        assert stored(svc).next_nag_at is not None  # open again: reminders are back
        again = claim_task(svc, TEAM, 1, "U1", Via.BUTTON, seat="lead")
        claim_task(svc, TEAM, 1, "U2", Via.BUTTON, seat="staff")
        with pytest.raises(DibsError, match="changed again since"):
            undo_change(svc, TEAM, again.undo, "U1")
        late = claim_task(svc, TEAM, 1, "U3", Via.BUTTON, seat="staff")
    with freeze_time(T0 + timedelta(minutes=6)), pytest.raises(DibsError, match="works for 5 minutes"):
        undo_change(svc, TEAM, late.undo, "U3")
    assert set(get_task(svc, TEAM, 1).owners) == {"U1", "U2", "U3"}


def test_undo_of_a_release_gives_the_seat_back_and_calls_off_the_offer(svc):
    with freeze_time(T0):
        new_event(svc)
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
        claim_task(svc, TEAM, 1, "U2", Via.COMMAND, seat="lead")  # waits
        released = release_claim(svc, TEAM, 1, "U1", Via.COMMAND)
        assert released.promoted == "U2"
        task = undo_change(svc, TEAM, released.undo, "U1")
    assert task.seating[0].owners == ("U1",) and task.seating[0].waiting == ("U2",) and task.offered == ()


def test_a_swap_asked_about_a_private_channels_task_names_no_title(svc):
    with freeze_time(T0):
        create_task(
            svc,
            NewTask(team_id=TEAM, channel_id="G1", kind="event", title="Secret launch booth", slots=2,
                    posted_by=POSTER, message_ts="2.1", source=Via.MESSAGE, private=True),
        )  # fmt: skip
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
        ask_swap(svc, TEAM, 1, "U1", "U7")
    [asked] = outbox(svc, Purpose.SWAP)
    assert "#1 in <#G1>" in asked.text and "Secret" not in asked.text and "Secret" not in (asked.blocks or "")


def test_seats_taken_by_a_swap_or_a_take_over_count_in_the_claims_per_person(svc):
    from store.queries.stats import claims_per_person

    with freeze_time(T0):
        new_event(svc)
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
        claim_task(svc, TEAM, 1, "U2", Via.COMMAND, seat="staff")
        ask_swap(svc, TEAM, 1, "U1", "U7")
        answer_swap(svc, TEAM, 1, "U7", True)
        take_over(svc, TEAM, 1, POSTER, False, "U2", "U3")
    with svc.db() as session:
        counts = claims_per_person(session, TEAM, T0 - timedelta(days=1))
    assert counts == {"U1": 1, "U2": 1, "U7": 1, "U3": 1}


def test_a_new_due_date_moves_a_timed_event_to_that_day_at_the_same_hours(svc):
    from tests.support.services import set_due_date

    with freeze_time(T0):
        new_event(svc)
        set_event_time(svc, TEAM, 1, POSTER, date(2026, 12, 12), (time(9, 0), time(17, 0)), None)
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
        set_due_date(svc, TEAM, 1, POSTER, date(2026, 12, 19))
    task = stored(svc)
    assert (task.event_start, task.event_end) == (
        datetime(2026, 12, 19, 8, 0, tzinfo=UTC),
        datetime(2026, 12, 19, 16, 0, tzinfo=UTC),
    )
    assert task.calendar_seq == 3 and task.roster_at == datetime(2026, 12, 18, 8, 0, tzinfo=UTC)
    with svc.db() as session:
        entries = session.scalars(select(OutboxPost).where(OutboxPost.purpose == Purpose.CALENDAR)).all()
        # Claimed, then moved a moment later: one entry, which goes out as the event is then (its seq 3).
        assert [(e.channel_id, json.loads(e.args or "")["seq"]) for e in entries] == [("U1", 3)]
    with freeze_time(T0):
        set_due_date(svc, TEAM, 1, POSTER, None)
    task = stored(svc)
    assert task.event_start is None and task.roster_at is None


def test_undo_puts_back_an_events_time_and_its_seats(svc):
    with freeze_time(T0):
        new_event(svc)
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
        first = set_event_time(svc, TEAM, 1, POSTER, date(2026, 12, 12), (time(9, 0), time(17, 0)), "Hall 3")
        moved = set_event_time(svc, TEAM, 1, POSTER, date(2026, 12, 19), None, "Hall 4")
        back = undo_change(svc, TEAM, moved.undo, POSTER)
        assert (back.due_on, back.place) == (date(2026, 12, 12), "Hall 3")
        assert back.event_start == datetime(2026, 12, 12, 8, 0, tzinfo=UTC)
        assert first.undo is not None
        grown = set_roles(svc, TEAM, 1, POSTER, [("staff", 4)])
        assert grown.slots == 5
        shrunk = undo_change(svc, TEAM, grown.undo, POSTER)
    assert [(s.name, s.seats) for s in shrunk.seating] == [("lead", 1), ("staff", 2)] and shrunk.slots == 3
    assert stored(svc).calendar_seq == 3  # set, moved, moved back: U1's entry followed each time


def test_an_owner_who_lets_go_and_comes_back_gets_a_new_calendar_entry(svc):
    with freeze_time(T0):
        new_event(svc, due_on=date(2026, 12, 12))
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
        release_claim(svc, TEAM, 1, "U1", Via.COMMAND)
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
    with svc.db() as session:
        entries = session.scalars(select(OutboxPost).where(OutboxPost.purpose == Purpose.CALENDAR)).all()
        # Within a minute: the entry still waiting took each change; it goes once, as an entry of SEQUENCE 3.
        assert [(e.dedupe_key, json.loads(e.args or "")) for e in entries] == [
            ("cal:1:U1:1:r", {"task": 1, "cancel": False, "seq": 3, "lead": ""})
        ]
    sent(svc)
    with freeze_time(T0 + timedelta(minutes=2)):
        release_claim(svc, TEAM, 1, "U1", Via.COMMAND)  # after it went: its cancellation is a new entry
    sent(svc)
    with freeze_time(T0 + timedelta(minutes=4)):
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
    with svc.db() as session:
        entries = session.scalars(select(OutboxPost).where(OutboxPost.purpose == Purpose.CALENDAR)).all()
        assert [e.dedupe_key for e in entries] == ["cal:1:U1:1:r", "cal:1:U1:4:x", "cal:1:U1:5:r"]


def sent(svc) -> None:
    """As if the courier had sent everything queued."""
    with svc.db.begin() as session:
        session.execute(update(OutboxPost).values(state="sent"))


def test_a_forged_role_is_refused_without_repeating_it_as_markup(svc):
    with freeze_time(T0):
        new_event(svc)
        with pytest.raises(DibsError) as refused:
            claim_task(svc, TEAM, 1, "U1", Via.BUTTON, seat="<!channel>")
    assert "`&lt;!channel&gt;`" in str(refused.value) and "<!channel>" not in str(refused.value)


def test_a_seat_can_go_to_someone_already_waiting_in_line(svc):
    with freeze_time(T0):
        new_event(svc)
        claim_task(svc, TEAM, 1, "U1", Via.COMMAND, seat="lead")
        claim_task(svc, TEAM, 1, "U7", Via.COMMAND, seat="lead")  # waits for lead
        claim_task(svc, TEAM, 1, "U2", Via.COMMAND, seat="staff")
        claim_task(svc, TEAM, 1, "U8", Via.COMMAND, seat="staff")
        claim_task(svc, TEAM, 1, "U9", Via.COMMAND, seat="staff")  # waits for staff
        ask_swap(svc, TEAM, 1, "U1", "U7")
        swapped, _ = answer_swap(svc, TEAM, 1, "U7", True)
        moved = take_over(svc, TEAM, 1, POSTER, False, "U2", "U9")
    assert swapped.seating[0].owners == ("U7",) and swapped.seating[0].waiting == ()
    assert moved.seating[1].owners == ("U8", "U9") and moved.seating[1].waiting == ()

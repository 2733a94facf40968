"""The task rules (claim, waitlist, release, done, hand-over, lists, audit) on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from bot.services import Services
from bot.settings import DEFAULT_KINDS, Settings
from bot.tasks.errors import DibsError, NeedsLink, NotAllowed, TaskNotFound
from bot.tasks.service import NewTask
from store.enums import Via
from store.models import Claim, Task, TaskEvent
from tests.support.services import (
    assign_task,
    claim_task,
    complete_task,
    create_task,
    find_task_id_by_ts,
    get_task,
    list_tasks,
    release_claim,
    services_on,
)

TEAM = "T111"
OTHER_TEAM = "T999"
CHANNEL = "C100"
POSTER = "UPOSTER"
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


# Gift campaigns need proof of done here, to test that rule; other kinds don't.
SETTINGS = Settings(
    kinds={
        **DEFAULT_KINDS,
        "gift_campaign": DEFAULT_KINDS["gift_campaign"].model_copy(update={"done_needs_link": True}),
    }
)


@pytest.fixture
def svc(database_url: str) -> Iterator[Services]:
    with services_on(database_url, SETTINGS) as services:
        yield services


_ts = iter(range(1000, 10**6))


def new_task(svc, *, slots=1, team=TEAM, channel=CHANNEL, kind="event", title="Booth at the Expo", ts=None):
    task = create_task(
        svc,
        NewTask(
            team_id=team,
            channel_id=channel,
            kind=kind,
            title=title,
            slots=slots,
            posted_by=POSTER,
            message_ts=ts or f"1715000000.{next(_ts):06d}",
            source=Via.MESSAGE,
        ),
    )
    assert task is not None
    return task


def events(svc, task_id: int) -> list[tuple[str, str, str, str | None]]:
    with svc.db.begin() as session:
        rows = session.scalars(select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id)).all()
        return [(e.actor, e.action, e.via, e.detail) for e in rows]


def claim_rows(svc, task_id: int) -> list[tuple[str, str]]:
    with svc.db.begin() as session:
        rows = session.scalars(select(Claim).where(Claim.task_id == task_id).order_by(Claim.id)).all()
        return [(c.user_id, c.role) for c in rows]


# --- create -------------------------------------------------------------------------------


def test_create_opens_a_task(svc):
    with freeze_time(T0):
        task = new_task(svc, slots=2, title="Booth at the Expo")
    assert task.id == 1
    assert (task.team_id, task.channel_id, task.kind, task.title) == (TEAM, CHANNEL, "event", "Booth at the Expo")
    assert task.status == "open"
    assert task.slots == 2
    assert task.posted_by == POSTER
    assert task.owners == () and task.waitlist == ()
    assert task.created_at == T0
    assert task.claimed_at is None and task.done_at is None and task.done_by is None
    assert get_task(svc, TEAM, task.id) == task
    assert events(svc, task.id) == [(POSTER, "created", "message", "event")]


def test_create_twice_for_the_same_message_returns_none(svc):
    first = new_task(svc, ts="1715000000.000100")
    again = create_task(
        svc,
        NewTask(
            team_id=TEAM,
            channel_id=CHANNEL,
            kind="event",
            title="Retried delivery",
            slots=1,
            posted_by=POSTER,
            message_ts="1715000000.000100",
            source=Via.MESSAGE,
        ),
    )
    assert again is None
    tasks, total = list_tasks(svc, TEAM, "all", POSTER)
    assert total == 1 and [t.id for t in tasks] == [first.id]
    with svc.db.begin() as session:
        assert session.scalar(select(Task.title)) == "Booth at the Expo"
    # The same ts in another channel or another workspace is another message.
    assert new_task(svc, ts="1715000000.000100", channel="C200").id != first.id
    assert new_task(svc, ts="1715000000.000100", team=OTHER_TEAM) is not None


# --- claim and waitlist -------------------------------------------------------------------


def test_claim_a_free_slot(svc):
    task = new_task(svc)
    with freeze_time(T0 + timedelta(minutes=5)):
        result = claim_task(svc, TEAM, task.id, "U1", "reaction")
    assert result.outcome == "claimed"
    assert result.task.status == "claimed"
    assert result.task.owners == ("U1",)
    assert result.task.waitlist == ()
    assert result.task.claimed_at == T0 + timedelta(minutes=5)
    stored = get_task(svc, TEAM, task.id)
    assert stored.status == "claimed" and stored.owners == ("U1",)
    assert stored.claimed_at == T0 + timedelta(minutes=5)


def test_two_slot_task_fills_then_waitlists_in_order(svc):
    task = new_task(svc, slots=2)
    outcomes = [claim_task(svc, TEAM, task.id, user, "button") for user in ("U1", "U2", "U3", "U4")]
    assert [r.outcome for r in outcomes] == ["claimed", "claimed", "waitlisted", "waitlisted"]
    assert outcomes[1].task.owners == ("U1", "U2")
    assert outcomes[2].task.waitlist == ("U3",)
    final = outcomes[3].task
    assert final.owners == ("U1", "U2")
    assert final.waitlist == ("U3", "U4")
    assert final.status == "claimed"
    assert final.free_slots == 0
    assert get_task(svc, TEAM, task.id).waitlist == ("U3", "U4")


def test_claiming_twice_changes_nothing(svc):
    task = new_task(svc, slots=1)
    claim_task(svc, TEAM, task.id, "U1", "button")
    claim_task(svc, TEAM, task.id, "U2", "button")
    before = get_task(svc, TEAM, task.id)
    again_owner = claim_task(svc, TEAM, task.id, "U1", "reaction")
    again_waiting = claim_task(svc, TEAM, task.id, "U2", "reaction")
    assert again_owner.outcome == "already_owner"
    assert again_waiting.outcome == "already_waiting"
    after = get_task(svc, TEAM, task.id)
    assert (after.owners, after.waitlist, after.version) == (("U1",), ("U2",), before.version)
    assert claim_rows(svc, task.id) == [("U1", "owner"), ("U2", "waiting")]


def test_claim_on_a_done_task_is_refused(svc):
    task = new_task(svc)
    claim_task(svc, TEAM, task.id, "U1", "button")
    complete_task(svc, TEAM, task.id, "U1", "button")
    with pytest.raises(DibsError, match=f"#{task.id} is already done"):
        claim_task(svc, TEAM, task.id, "U2", "button")
    assert get_task(svc, TEAM, task.id).owners == ("U1",)


# --- release ------------------------------------------------------------------------------


def test_release_by_an_owner_offers_the_seat_to_the_first_in_line(svc):
    task = new_task(svc, slots=2)
    for user in ("U1", "U2", "U3", "U4", "U5"):
        claim_task(svc, TEAM, task.id, user, "button")
    result = release_claim(svc, TEAM, task.id, "U1", "reaction")
    assert result.outcome == "released"
    assert result.promoted == "U3"
    assert result.task.owners == ("U2",)
    assert [who for who, _ in result.task.offered] == ["U3"]  # held for U3 until they take it or pass
    assert result.task.free_slots == 0  # nobody else can take the held seat
    assert result.task.waitlist == ("U4", "U5")  # the rest keep their order
    assert result.task.status == "claimed"
    assert claim_task(svc, TEAM, task.id, "U3", "button").outcome == "claimed"  # taking the offer
    # Next release offers it to the next in line.
    second = release_claim(svc, TEAM, task.id, "U3", "command")
    assert second.promoted == "U4"
    assert second.task.owners == ("U2",) and [w for w, _ in second.task.offered] == ["U4"]
    assert second.task.waitlist == ("U5",)


def test_without_offers_the_first_in_line_gets_the_seat_at_once(database_url):
    at_once = SETTINGS.model_copy(
        update={"staffing": SETTINGS.staffing.model_copy(update={"offer_expires_after": timedelta(0)})}
    )
    with services_on(database_url, at_once) as svc:
        task = new_task(svc, slots=2)
        for user in ("U1", "U2", "U3", "U4"):
            claim_task(svc, TEAM, task.id, user, "button")
        result = release_claim(svc, TEAM, task.id, "U1", "reaction")
        assert result.promoted == "U3"
        assert set(result.task.owners) == {"U2", "U3"} and result.task.offered == ()
        assert get_task(svc, TEAM, task.id).waitlist == ("U4",)


def test_release_by_the_last_owner_reopens_the_task(svc):
    task = new_task(svc, slots=1)
    claim_task(svc, TEAM, task.id, "U1", "button")
    result = release_claim(svc, TEAM, task.id, "U1", "reaction")
    assert result.outcome == "released"
    assert result.promoted is None
    assert result.task.status == "open"
    assert result.task.owners == () and result.task.waitlist == ()
    assert get_task(svc, TEAM, task.id).status == "open"
    # It can be claimed again.
    assert claim_task(svc, TEAM, task.id, "U2", "button").outcome == "claimed"


def test_release_by_one_of_two_owners_keeps_it_claimed(svc):
    task = new_task(svc, slots=2)
    claim_task(svc, TEAM, task.id, "U1", "button")
    claim_task(svc, TEAM, task.id, "U2", "button")
    result = release_claim(svc, TEAM, task.id, "U1", "button")
    assert result.promoted is None
    assert result.task.status == "claimed"
    assert result.task.owners == ("U2",)
    assert result.task.free_slots == 1


def test_leaving_the_waitlist(svc):
    task = new_task(svc, slots=1)
    for user in ("U1", "U2", "U3", "U4"):
        claim_task(svc, TEAM, task.id, user, "button")
    result = release_claim(svc, TEAM, task.id, "U3", "reaction")
    assert result.outcome == "left_waitlist"
    assert result.promoted is None
    assert result.task.owners == ("U1",)
    assert result.task.waitlist == ("U2", "U4")
    assert claim_rows(svc, task.id) == [("U1", "owner"), ("U2", "waiting"), ("U4", "waiting")]


def test_release_by_someone_who_has_not_claimed(svc):
    task = new_task(svc, slots=1)
    claim_task(svc, TEAM, task.id, "U1", "button")
    before = get_task(svc, TEAM, task.id)
    result = release_claim(svc, TEAM, task.id, "U9", "reaction")
    assert result.outcome == "not_claimed"
    assert result.promoted is None
    after = get_task(svc, TEAM, task.id)
    assert after.owners == ("U1",) and after.version == before.version


def test_release_after_done_changes_nothing(svc):
    task = new_task(svc, slots=1)
    claim_task(svc, TEAM, task.id, "U1", "button")
    complete_task(svc, TEAM, task.id, "U1", "button")
    result = release_claim(svc, TEAM, task.id, "U1", "reaction")
    assert result.outcome == "not_claimed"
    assert get_task(svc, TEAM, task.id).owners == ("U1",)
    assert get_task(svc, TEAM, task.id).status == "done"


# --- done ---------------------------------------------------------------------------------


def test_owner_completes(svc):
    task = new_task(svc, slots=2)
    claim_task(svc, TEAM, task.id, "U1", "button")
    with freeze_time(T0 + timedelta(hours=3)):
        done = complete_task(svc, TEAM, task.id, "U1", "button")
    assert done.status == "done"
    assert done.is_finished
    assert done.done_by == "U1"
    assert done.done_at == T0 + timedelta(hours=3)
    assert done.done_link is None
    stored = get_task(svc, TEAM, task.id)
    assert (stored.status, stored.done_by, stored.done_at) == ("done", "U1", T0 + timedelta(hours=3))


def test_poster_completes_even_without_owners(svc):
    task = new_task(svc)
    done = complete_task(svc, TEAM, task.id, POSTER, "command")
    assert done.status == "done"
    assert done.done_by == POSTER


def test_stranger_may_not_complete(svc):
    task = new_task(svc, slots=2)
    claim_task(svc, TEAM, task.id, "U1", "button")
    claim_task(svc, TEAM, task.id, "U2", "button")
    claim_task(svc, TEAM, task.id, "U3", "button")  # waiting is not owning
    for who in ("U9", "U3"):
        with pytest.raises(NotAllowed) as error:
            complete_task(svc, TEAM, task.id, who, "button")
        message = str(error.value)
        assert f"Only the owners of #{task.id}" in message
        assert "<@U1>" in message and "<@U2>" in message
        assert f"<@{POSTER}>" in message
        assert "<@U3>" not in message
    assert get_task(svc, TEAM, task.id).status == "claimed"


def test_stranger_on_an_unowned_task_is_told_nobody_owns_it(svc):
    task = new_task(svc)
    with pytest.raises(NotAllowed, match="nobody yet"):
        complete_task(svc, TEAM, task.id, "U9", "button")


def test_done_needs_a_link_when_the_kind_says_so(svc):
    task = new_task(svc, kind="gift_campaign")
    claim_task(svc, TEAM, task.id, "U1", "button")
    for empty in (None, ""):
        with pytest.raises(NeedsLink, match=f"#{task.id} needs proof of done"):
            complete_task(svc, TEAM, task.id, "U1", "button", link=empty)
    assert get_task(svc, TEAM, task.id).status == "claimed"
    done = complete_task(svc, TEAM, task.id, "U1", "command", link="https://track.example/1Z9")
    assert done.status == "done"
    assert done.done_link == "https://track.example/1Z9"
    assert get_task(svc, TEAM, task.id).done_link == "https://track.example/1Z9"


def test_link_is_kept_even_when_not_required(svc):
    task = new_task(svc)
    done = complete_task(svc, TEAM, task.id, POSTER, "command", link="https://x.example/y")
    assert done.done_link == "https://x.example/y"


def test_done_twice_is_refused(svc):
    task = new_task(svc)
    complete_task(svc, TEAM, task.id, POSTER, "command")
    with pytest.raises(DibsError, match="already done"):
        complete_task(svc, TEAM, task.id, POSTER, "command")


# --- not found and workspaces -------------------------------------------------------------


def test_task_not_found_lists_the_open_ids(svc):
    first, second, third = new_task(svc), new_task(svc), new_task(svc)
    complete_task(svc, TEAM, third.id, POSTER, "command")
    claim_task(svc, TEAM, second.id, "U1", "button")  # claimed tasks are still open work
    with pytest.raises(TaskNotFound) as error:
        claim_task(svc, TEAM, 99, "U1", "button")
    message = str(error.value)
    assert "There is no task #99." in message
    assert f"#{first.id}, #{second.id}" in message
    assert f"#{third.id}" not in message  # done tasks are not offered


def test_task_not_found_says_when_there_are_none(svc):
    with pytest.raises(TaskNotFound) as error:
        get_task(svc, TEAM, 7)
    assert "There is no task #7." in str(error.value)
    assert "There are no open tasks" in str(error.value)


def test_task_not_found_shortens_a_long_list(svc):
    for _ in range(17):
        new_task(svc)
    with pytest.raises(TaskNotFound) as error:
        get_task(svc, TEAM, 99)
    message = str(error.value)
    assert "#15" in message and "#16" not in message
    assert "and more" in message


@pytest.mark.parametrize(
    "action",
    [
        lambda svc, tid: get_task(svc, OTHER_TEAM, tid),
        lambda svc, tid: claim_task(svc, OTHER_TEAM, tid, "U1", "button"),
        lambda svc, tid: release_claim(svc, OTHER_TEAM, tid, "U1", "button"),
        lambda svc, tid: complete_task(svc, OTHER_TEAM, tid, POSTER, "button"),
        lambda svc, tid: assign_task(svc, OTHER_TEAM, tid, POSTER, "U2", "command"),
    ],
    ids=["get", "claim", "release", "done", "assign"],
)
def test_tasks_of_another_workspace_are_not_found(svc, action):
    task = new_task(svc, team=TEAM)
    with pytest.raises(TaskNotFound) as error:
        action(svc, task.id)
    assert "There are no open tasks" in str(error.value)  # T111's ids are not leaked
    unchanged = get_task(svc, TEAM, task.id)
    assert (unchanged.status, unchanged.owners, unchanged.version) == ("open", (), task.version)


def test_lists_and_lookups_are_scoped_by_workspace(svc):
    ours = new_task(svc, team=TEAM, ts="1715000000.000001")
    theirs = new_task(svc, team=OTHER_TEAM, ts="1715000000.000002")
    claim_task(svc, TEAM, ours.id, "U1", "button")
    claim_task(svc, OTHER_TEAM, theirs.id, "U1", "button")
    for which in ("open", "unclaimed", "mine", "all"):
        tasks, total = list_tasks(svc, OTHER_TEAM, which, "U1")
        assert all(t.team_id == OTHER_TEAM for t in tasks)
        assert ours.id not in [t.id for t in tasks]
        assert total == len(tasks)
    assert [t.id for t in list_tasks(svc, TEAM, "all", "U1")[0]] == [ours.id]
    assert find_task_id_by_ts(svc, OTHER_TEAM, CHANNEL, "1715000000.000001") is None
    assert find_task_id_by_ts(svc, TEAM, CHANNEL, "1715000000.000001") == ours.id


# --- assign -------------------------------------------------------------------------------


def test_owner_hands_over_their_slot(svc):
    task = new_task(svc, slots=2)
    claim_task(svc, TEAM, task.id, "U1", "button")
    claim_task(svc, TEAM, task.id, "U2", "button")
    result = assign_task(svc, TEAM, task.id, "U1", "U7", "command")
    assert result.replaced == "U1"
    assert set(result.task.owners) == {"U2", "U7"}
    assert "U1" not in result.task.owners + result.task.waitlist
    assert result.task.status == "claimed"
    assert set(get_task(svc, TEAM, task.id).owners) == {"U2", "U7"}


def test_poster_fills_a_free_slot(svc):
    task = new_task(svc, slots=2)
    claim_task(svc, TEAM, task.id, "U1", "button")
    result = assign_task(svc, TEAM, task.id, POSTER, "U7", "command")
    assert result.replaced is None
    assert set(result.task.owners) == {"U1", "U7"}
    assert result.task.free_slots == 0


def test_poster_assigns_an_open_task(svc):
    task = new_task(svc, slots=1)
    with freeze_time(T0):
        result = assign_task(svc, TEAM, task.id, POSTER, "U7", "modal")
    assert result.task.owners == ("U7",)
    assert result.task.status == "claimed"
    assert result.task.claimed_at == T0


def test_poster_cannot_overfill_a_full_task(svc):
    task = new_task(svc, slots=1)
    claim_task(svc, TEAM, task.id, "U1", "button")
    with pytest.raises(DibsError, match="no free seat") as error:
        assign_task(svc, TEAM, task.id, POSTER, "U7", "command")
    assert not isinstance(error.value, NotAllowed)
    assert "<@U1>" in str(error.value)
    assert get_task(svc, TEAM, task.id).owners == ("U1",)


def test_stranger_may_not_hand_over(svc):
    task = new_task(svc, slots=2)
    claim_task(svc, TEAM, task.id, "U1", "button")
    with pytest.raises(NotAllowed) as error:
        assign_task(svc, TEAM, task.id, "U9", "U7", "command")
    assert "<@U1>" in str(error.value) and f"<@{POSTER}>" in str(error.value)
    assert get_task(svc, TEAM, task.id).owners == ("U1",)


def test_assign_to_an_existing_owner_is_refused(svc):
    task = new_task(svc, slots=2)
    claim_task(svc, TEAM, task.id, "U1", "button")
    claim_task(svc, TEAM, task.id, "U2", "button")
    with pytest.raises(DibsError, match="already owns"):
        assign_task(svc, TEAM, task.id, "U1", "U2", "command")


def test_assign_to_someone_waiting_takes_them_off_the_waitlist(svc):
    task = new_task(svc, slots=1)
    for user in ("U1", "U2", "U3"):
        claim_task(svc, TEAM, task.id, user, "button")
    result = assign_task(svc, TEAM, task.id, "U1", "U3", "command")
    assert result.replaced == "U1"
    assert result.task.owners == ("U3",)
    assert result.task.waitlist == ("U2",)
    assert claim_rows(svc, task.id) == [("U2", "waiting"), ("U3", "owner")]


def test_assign_on_a_done_task_is_refused(svc):
    task = new_task(svc)
    complete_task(svc, TEAM, task.id, POSTER, "command")
    with pytest.raises(DibsError, match="already done"):
        assign_task(svc, TEAM, task.id, POSTER, "U7", "command")


# --- lookups by ts ------------------------------------------------------------------------


def test_find_task_by_message_ts_and_by_reply_ts(svc):
    task = new_task(svc, ts="1715000000.000500")
    with svc.db.begin() as session:
        session.execute(update(Task).where(Task.id == task.id).values(reply_ts="1715000000.000600"))
    assert find_task_id_by_ts(svc, TEAM, CHANNEL, "1715000000.000500") == task.id
    assert find_task_id_by_ts(svc, TEAM, CHANNEL, "1715000000.000600") == task.id
    assert find_task_id_by_ts(svc, TEAM, CHANNEL, "1715000000.000700") is None
    assert find_task_id_by_ts(svc, TEAM, "C999", "1715000000.000500") is None
    assert get_task(svc, TEAM, task.id).reply_ts == "1715000000.000600"


# --- lists --------------------------------------------------------------------------------


def test_list_filters_and_totals(svc):
    with freeze_time(T0) as clock:
        a = new_task(svc, title="a")  # open, unclaimed
        clock.tick(60)
        b = new_task(svc, title="b")  # claimed by U1
        clock.tick(60)
        c = new_task(svc, title="c", slots=1)  # claimed by U2, U1 waiting
        clock.tick(60)
        d = new_task(svc, title="d")  # done by U1
        clock.tick(60)
        e = new_task(svc, title="e")  # open, unclaimed
    claim_task(svc, TEAM, b.id, "U1", "button")
    claim_task(svc, TEAM, c.id, "U2", "button")
    claim_task(svc, TEAM, c.id, "U1", "button")
    claim_task(svc, TEAM, d.id, "U1", "button")
    complete_task(svc, TEAM, d.id, "U1", "button")

    def ids(which, user="U1", limit=50):
        tasks, total = list_tasks(svc, TEAM, which, user, limit=limit)
        return [t.id for t in tasks], total

    assert ids("open") == ([a.id, b.id, c.id, e.id], 4)
    assert ids("unclaimed") == ([a.id, e.id], 2)
    mine, total = ids("mine")
    assert b.id in mine and d.id not in mine and a.id not in mine and e.id not in mine
    assert total == len(mine)
    assert ids("mine", user="U2") == ([c.id], 1)
    assert ids("mine", user="U8") == ([], 0)
    all_ids, all_total = ids("all")
    assert set(all_ids) == {a.id, b.id, c.id, d.id, e.id} and all_total == 5
    # The total counts every match even when the page is shorter.
    assert ids("open", limit=2) == ([a.id, b.id], 4)


def test_list_shows_the_oldest_first(svc):
    with freeze_time(T0 + timedelta(hours=2)):
        late = new_task(svc, title="late")
    with freeze_time(T0):
        early = new_task(svc, title="early")  # a higher id but created earlier
    with freeze_time(T0 + timedelta(hours=1)):
        middle = new_task(svc, title="middle")
    for which in ("open", "unclaimed"):
        tasks, _ = list_tasks(svc, TEAM, which, POSTER)
        assert [t.title for t in tasks] == ["early", "middle", "late"]
        assert [t.id for t in tasks] == [early.id, middle.id, late.id]
    for t in (early, middle, late):
        claim_task(svc, TEAM, t.id, "U1", "button")
    tasks, _ = list_tasks(svc, TEAM, "mine", "U1")
    assert [t.title for t in tasks] == ["early", "middle", "late"]


# --- audit trail --------------------------------------------------------------------------


def test_every_transition_is_recorded_once(svc):
    task = new_task(svc, slots=1)
    claim_task(svc, TEAM, task.id, "U1", "reaction")
    claim_task(svc, TEAM, task.id, "U2", "button")
    claim_task(svc, TEAM, task.id, "U3", "command")
    claim_task(svc, TEAM, task.id, "U1", "reaction")  # already owner: nothing happens
    release_claim(svc, TEAM, task.id, "U9", "reaction")  # never claimed: nothing happens
    release_claim(svc, TEAM, task.id, "U3", "button")
    release_claim(svc, TEAM, task.id, "U1", "reaction")  # U2 is offered the seat...
    claim_task(svc, TEAM, task.id, "U2", "button")  # ...and takes it
    assign_task(svc, TEAM, task.id, "U2", "U4", "modal")
    with pytest.raises(NotAllowed):
        complete_task(svc, TEAM, task.id, "U9", "button")
    complete_task(svc, TEAM, task.id, "U4", "command", link="https://x.example/done")
    trail = events(svc, task.id)
    assert [(actor, action, via) for actor, action, via, _ in trail] == [
        (POSTER, "created", "message"),
        ("U1", "claimed", "reaction"),
        ("U2", "waitlisted", "button"),
        ("U3", "waitlisted", "command"),
        ("U3", "left_waitlist", "button"),
        ("U1", "released", "reaction"),
        ("U2", "offered", "reaction"),
        ("U2", "claimed", "button"),
        ("U2", "assigned", "modal"),
        ("U4", "done", "command"),
    ]
    assert trail[8][3] == "U4"  # the hand-over names its target
    assert trail[9][3] == "https://x.example/done"
    final = get_task(svc, TEAM, task.id)
    assert final.version == len(trail)  # the version moves on once per recorded change
    with svc.db.begin() as session:
        teams = set(session.scalars(select(TaskEvent.team_id).where(TaskEvent.task_id == task.id)))
    assert teams == {TEAM}


def test_audit_timestamps_follow_the_clock(svc):
    with freeze_time(T0) as clock:
        task = new_task(svc)
        clock.tick(120)
        claim_task(svc, TEAM, task.id, "U1", "button")
    with svc.db.begin() as session:
        times = session.scalars(select(TaskEvent.at).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)).all()
    assert list(times) == [T0, T0 + timedelta(seconds=120)]


# --- concurrency --------------------------------------------------------------------------


def claim_all_at_once(svc, task_id: int, users: list[str]) -> list[str]:
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(user: str) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = claim_task(svc, TEAM, task_id, user, "button").outcome
            with lock:
                outcomes.append(outcome)
        except BaseException as error:  # report every failure, not only the first thread's
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    return outcomes


def test_twenty_people_claim_a_one_slot_task_at_once(svc):
    task = new_task(svc, slots=1)
    users = [f"U{i:02d}" for i in range(20)]
    outcomes = claim_all_at_once(svc, task.id, users)
    assert Counter(outcomes) == {"claimed": 1, "waitlisted": 19}
    roles = claim_rows(svc, task.id)
    assert [role for _, role in roles].count("owner") == 1
    assert len(roles) == 20 and {user for user, _ in roles} == set(users)
    stored = get_task(svc, TEAM, task.id)
    assert len(stored.owners) == 1 and len(stored.waitlist) == 19
    assert stored.status == "claimed"
    assert stored.version == 1 + 20  # created + one event per claim, none lost
    assert Counter(action for _, action, _, _ in events(svc, task.id)) == {
        "created": 1,
        "claimed": 1,
        "waitlisted": 19,
    }


def test_twenty_people_claim_a_two_slot_task_at_once(svc):
    task = new_task(svc, slots=2)
    users = [f"U{i:02d}" for i in range(20)]
    outcomes = claim_all_at_once(svc, task.id, users)
    assert Counter(outcomes) == {"claimed": 2, "waitlisted": 18}
    roles = claim_rows(svc, task.id)
    assert [role for _, role in roles].count("owner") == 2
    stored = get_task(svc, TEAM, task.id)
    assert len(stored.owners) == 2 and len(stored.waitlist) == 18
    # The owners are the two earliest claims: nobody who came later jumped the line.
    assert [user for user, _ in roles[:2]] == list(stored.owners)

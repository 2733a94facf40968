"""The task rules (claim, waitlist, release, done, hand-over, lists, audit) on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.tasks import (
    DibsError,
    NeedsLink,
    NotAllowed,
    TaskNotFound,
    assign_task,
    claim_task,
    complete_task,
    create_task,
    find_task_id_by_ts,
    get_task,
    list_tasks,
    release_claim,
)
from store.db import make_engine, make_session_factory, migrate
from store.models import Claim, Task, TaskEvent

TEAM = "T111"
OTHER_TEAM = "T999"
CHANNEL = "C100"
POSTER = "UPOSTER"
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    migrate(engine)
    yield make_session_factory(engine)
    engine.dispose()


_ts = iter(range(1000, 10**6))


def new_task(db, *, slots=1, team=TEAM, channel=CHANNEL, kind="event", title="Booth at the Expo", ts=None):
    task = create_task(
        db,
        team_id=team,
        channel_id=channel,
        kind=kind,
        title=title,
        slots=slots,
        posted_by=POSTER,
        message_ts=ts or f"1715000000.{next(_ts):06d}",
        source="message",
    )
    assert task is not None
    return task


def events(db, task_id: int) -> list[tuple[str, str, str, str | None]]:
    with db.begin() as session:
        rows = session.scalars(select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id)).all()
        return [(e.actor, e.action, e.via, e.detail) for e in rows]


def claim_rows(db, task_id: int) -> list[tuple[str, str]]:
    with db.begin() as session:
        rows = session.scalars(select(Claim).where(Claim.task_id == task_id).order_by(Claim.id)).all()
        return [(c.user_id, c.role) for c in rows]


# --- create -------------------------------------------------------------------------------


def test_create_opens_a_task(db):
    with freeze_time(T0):
        task = new_task(db, slots=2, title="Booth at the Expo")
    assert task.id == 1
    assert (task.team_id, task.channel_id, task.kind, task.title) == (TEAM, CHANNEL, "event", "Booth at the Expo")
    assert task.status == "open"
    assert task.slots == 2
    assert task.posted_by == POSTER
    assert task.owners == () and task.waitlist == ()
    assert task.created_at == T0
    assert task.claimed_at is None and task.done_at is None and task.done_by is None
    assert get_task(db, TEAM, task.id) == task
    assert events(db, task.id) == [(POSTER, "created", "message", "event")]


def test_create_twice_for_the_same_message_returns_none(db):
    first = new_task(db, ts="1715000000.000100")
    again = create_task(
        db,
        team_id=TEAM,
        channel_id=CHANNEL,
        kind="event",
        title="Retried delivery",
        slots=1,
        posted_by=POSTER,
        message_ts="1715000000.000100",
        source="message",
    )
    assert again is None
    tasks, total = list_tasks(db, TEAM, "all", POSTER)
    assert total == 1 and [t.id for t in tasks] == [first.id]
    with db.begin() as session:
        assert session.scalar(select(Task.title)) == "Booth at the Expo"
    # The same ts in another channel or another workspace is another message.
    assert new_task(db, ts="1715000000.000100", channel="C200").id != first.id
    assert new_task(db, ts="1715000000.000100", team=OTHER_TEAM) is not None


# --- claim and waitlist -------------------------------------------------------------------


def test_claim_a_free_slot(db):
    task = new_task(db)
    with freeze_time(T0 + timedelta(minutes=5)):
        result = claim_task(db, TEAM, task.id, "U1", "reaction")
    assert result.outcome == "claimed"
    assert result.task.status == "claimed"
    assert result.task.owners == ("U1",)
    assert result.task.waitlist == ()
    assert result.task.claimed_at == T0 + timedelta(minutes=5)
    stored = get_task(db, TEAM, task.id)
    assert stored.status == "claimed" and stored.owners == ("U1",)
    assert stored.claimed_at == T0 + timedelta(minutes=5)


def test_two_slot_task_fills_then_waitlists_in_order(db):
    task = new_task(db, slots=2)
    outcomes = [claim_task(db, TEAM, task.id, user, "button") for user in ("U1", "U2", "U3", "U4")]
    assert [r.outcome for r in outcomes] == ["claimed", "claimed", "waitlisted", "waitlisted"]
    assert outcomes[1].task.owners == ("U1", "U2")
    assert outcomes[2].task.waitlist == ("U3",)
    final = outcomes[3].task
    assert final.owners == ("U1", "U2")
    assert final.waitlist == ("U3", "U4")
    assert final.status == "claimed"
    assert final.free_slots == 0
    assert get_task(db, TEAM, task.id).waitlist == ("U3", "U4")


def test_claiming_twice_changes_nothing(db):
    task = new_task(db, slots=1)
    claim_task(db, TEAM, task.id, "U1", "button")
    claim_task(db, TEAM, task.id, "U2", "button")
    before = get_task(db, TEAM, task.id)
    again_owner = claim_task(db, TEAM, task.id, "U1", "reaction")
    again_waiting = claim_task(db, TEAM, task.id, "U2", "reaction")
    assert again_owner.outcome == "already_owner"
    assert again_waiting.outcome == "already_waiting"
    after = get_task(db, TEAM, task.id)
    assert (after.owners, after.waitlist, after.version) == (("U1",), ("U2",), before.version)
    assert claim_rows(db, task.id) == [("U1", "owner"), ("U2", "waiting")]


def test_claim_on_a_done_task_is_refused(db):
    task = new_task(db)
    claim_task(db, TEAM, task.id, "U1", "button")
    complete_task(db, TEAM, task.id, "U1", "button", needs_link=False)
    with pytest.raises(DibsError, match=f"#{task.id} is already done"):
        claim_task(db, TEAM, task.id, "U2", "button")
    assert get_task(db, TEAM, task.id).owners == ("U1",)


# --- release ------------------------------------------------------------------------------


def test_release_by_an_owner_promotes_the_first_in_line(db):
    task = new_task(db, slots=2)
    for user in ("U1", "U2", "U3", "U4", "U5"):
        claim_task(db, TEAM, task.id, user, "button")
    result = release_claim(db, TEAM, task.id, "U1", "reaction")
    assert result.outcome == "released"
    assert result.promoted == "U3"
    assert set(result.task.owners) == {"U2", "U3"}
    assert result.task.waitlist == ("U4", "U5")  # the rest keep their order
    assert result.task.status == "claimed"
    # Next release promotes the next in line.
    second = release_claim(db, TEAM, task.id, "U3", "command")
    assert second.promoted == "U4"
    assert set(second.task.owners) == {"U2", "U4"}
    assert second.task.waitlist == ("U5",)
    stored = get_task(db, TEAM, task.id)
    assert set(stored.owners) == {"U2", "U4"} and stored.waitlist == ("U5",)


def test_release_by_the_last_owner_reopens_the_task(db):
    task = new_task(db, slots=1)
    claim_task(db, TEAM, task.id, "U1", "button")
    result = release_claim(db, TEAM, task.id, "U1", "reaction")
    assert result.outcome == "released"
    assert result.promoted is None
    assert result.task.status == "open"
    assert result.task.owners == () and result.task.waitlist == ()
    assert get_task(db, TEAM, task.id).status == "open"
    # It can be claimed again.
    assert claim_task(db, TEAM, task.id, "U2", "button").outcome == "claimed"


def test_release_by_one_of_two_owners_keeps_it_claimed(db):
    task = new_task(db, slots=2)
    claim_task(db, TEAM, task.id, "U1", "button")
    claim_task(db, TEAM, task.id, "U2", "button")
    result = release_claim(db, TEAM, task.id, "U1", "button")
    assert result.promoted is None
    assert result.task.status == "claimed"
    assert result.task.owners == ("U2",)
    assert result.task.free_slots == 1


def test_leaving_the_waitlist(db):
    task = new_task(db, slots=1)
    for user in ("U1", "U2", "U3", "U4"):
        claim_task(db, TEAM, task.id, user, "button")
    result = release_claim(db, TEAM, task.id, "U3", "reaction")
    assert result.outcome == "left_waitlist"
    assert result.promoted is None
    assert result.task.owners == ("U1",)
    assert result.task.waitlist == ("U2", "U4")
    assert claim_rows(db, task.id) == [("U1", "owner"), ("U2", "waiting"), ("U4", "waiting")]


def test_release_by_someone_who_has_not_claimed(db):
    task = new_task(db, slots=1)
    claim_task(db, TEAM, task.id, "U1", "button")
    before = get_task(db, TEAM, task.id)
    result = release_claim(db, TEAM, task.id, "U9", "reaction")
    assert result.outcome == "not_claimed"
    assert result.promoted is None
    after = get_task(db, TEAM, task.id)
    assert after.owners == ("U1",) and after.version == before.version


def test_release_after_done_changes_nothing(db):
    task = new_task(db, slots=1)
    claim_task(db, TEAM, task.id, "U1", "button")
    complete_task(db, TEAM, task.id, "U1", "button", needs_link=False)
    result = release_claim(db, TEAM, task.id, "U1", "reaction")
    assert result.outcome == "not_claimed"
    assert get_task(db, TEAM, task.id).owners == ("U1",)
    assert get_task(db, TEAM, task.id).status == "done"


# --- done ---------------------------------------------------------------------------------


def test_owner_completes(db):
    task = new_task(db, slots=2)
    claim_task(db, TEAM, task.id, "U1", "button")
    with freeze_time(T0 + timedelta(hours=3)):
        done = complete_task(db, TEAM, task.id, "U1", "button", needs_link=False)
    assert done.status == "done"
    assert done.is_finished
    assert done.done_by == "U1"
    assert done.done_at == T0 + timedelta(hours=3)
    assert done.done_link is None
    stored = get_task(db, TEAM, task.id)
    assert (stored.status, stored.done_by, stored.done_at) == ("done", "U1", T0 + timedelta(hours=3))


def test_poster_completes_even_without_owners(db):
    task = new_task(db)
    done = complete_task(db, TEAM, task.id, POSTER, "command", needs_link=False)
    assert done.status == "done"
    assert done.done_by == POSTER


def test_stranger_may_not_complete(db):
    task = new_task(db, slots=2)
    claim_task(db, TEAM, task.id, "U1", "button")
    claim_task(db, TEAM, task.id, "U2", "button")
    claim_task(db, TEAM, task.id, "U3", "button")  # waiting is not owning
    for who in ("U9", "U3"):
        with pytest.raises(NotAllowed) as error:
            complete_task(db, TEAM, task.id, who, "button", needs_link=False)
        message = str(error.value)
        assert f"Only the owners of #{task.id}" in message
        assert "<@U1>" in message and "<@U2>" in message
        assert f"<@{POSTER}>" in message
        assert "<@U3>" not in message
    assert get_task(db, TEAM, task.id).status == "claimed"


def test_stranger_on_an_unowned_task_is_told_nobody_owns_it(db):
    task = new_task(db)
    with pytest.raises(NotAllowed, match="nobody yet"):
        complete_task(db, TEAM, task.id, "U9", "button", needs_link=False)


def test_done_needs_a_link_when_the_kind_says_so(db):
    task = new_task(db, kind="gift_campaign")
    claim_task(db, TEAM, task.id, "U1", "button")
    for empty in (None, ""):
        with pytest.raises(NeedsLink, match=f"#{task.id} needs proof of done"):
            complete_task(db, TEAM, task.id, "U1", "button", needs_link=True, link=empty)
    assert get_task(db, TEAM, task.id).status == "claimed"
    done = complete_task(db, TEAM, task.id, "U1", "command", needs_link=True, link="https://track.example/1Z9")
    assert done.status == "done"
    assert done.done_link == "https://track.example/1Z9"
    assert get_task(db, TEAM, task.id).done_link == "https://track.example/1Z9"


def test_link_is_kept_even_when_not_required(db):
    task = new_task(db)
    done = complete_task(db, TEAM, task.id, POSTER, "command", needs_link=False, link="https://x.example/y")
    assert done.done_link == "https://x.example/y"


def test_done_twice_is_refused(db):
    task = new_task(db)
    complete_task(db, TEAM, task.id, POSTER, "command", needs_link=False)
    with pytest.raises(DibsError, match="already done"):
        complete_task(db, TEAM, task.id, POSTER, "command", needs_link=False)


# --- not found and workspaces -------------------------------------------------------------


def test_task_not_found_lists_the_open_ids(db):
    first, second, third = new_task(db), new_task(db), new_task(db)
    complete_task(db, TEAM, third.id, POSTER, "command", needs_link=False)
    claim_task(db, TEAM, second.id, "U1", "button")  # claimed tasks are still open work
    with pytest.raises(TaskNotFound) as error:
        claim_task(db, TEAM, 99, "U1", "button")
    message = str(error.value)
    assert "There is no task #99." in message
    assert f"#{first.id}, #{second.id}" in message
    assert f"#{third.id}" not in message  # done tasks are not offered


def test_task_not_found_says_when_there_are_none(db):
    with pytest.raises(TaskNotFound) as error:
        get_task(db, TEAM, 7)
    assert "There is no task #7." in str(error.value)
    assert "There are no open tasks" in str(error.value)


def test_task_not_found_shortens_a_long_list(db):
    for _ in range(17):
        new_task(db)
    with pytest.raises(TaskNotFound) as error:
        get_task(db, TEAM, 99)
    message = str(error.value)
    assert "#15" in message and "#16" not in message
    assert "and more" in message


@pytest.mark.parametrize(
    "action",
    [
        lambda db, tid: get_task(db, OTHER_TEAM, tid),
        lambda db, tid: claim_task(db, OTHER_TEAM, tid, "U1", "button"),
        lambda db, tid: release_claim(db, OTHER_TEAM, tid, "U1", "button"),
        lambda db, tid: complete_task(db, OTHER_TEAM, tid, POSTER, "button", needs_link=False),
        lambda db, tid: assign_task(db, OTHER_TEAM, tid, POSTER, "U2", "command"),
    ],
    ids=["get", "claim", "release", "done", "assign"],
)
def test_tasks_of_another_workspace_are_not_found(db, action):
    task = new_task(db, team=TEAM)
    with pytest.raises(TaskNotFound) as error:
        action(db, task.id)
    assert "There are no open tasks" in str(error.value)  # T111's ids are not leaked
    unchanged = get_task(db, TEAM, task.id)
    assert (unchanged.status, unchanged.owners, unchanged.version) == ("open", (), task.version)


def test_lists_and_lookups_are_scoped_by_workspace(db):
    ours = new_task(db, team=TEAM, ts="1715000000.000001")
    theirs = new_task(db, team=OTHER_TEAM, ts="1715000000.000002")
    claim_task(db, TEAM, ours.id, "U1", "button")
    claim_task(db, OTHER_TEAM, theirs.id, "U1", "button")
    for which in ("open", "unclaimed", "mine", "all"):
        tasks, total = list_tasks(db, OTHER_TEAM, which, "U1")
        assert all(t.team_id == OTHER_TEAM for t in tasks)
        assert ours.id not in [t.id for t in tasks]
        assert total == len(tasks)
    assert [t.id for t in list_tasks(db, TEAM, "all", "U1")[0]] == [ours.id]
    assert find_task_id_by_ts(db, OTHER_TEAM, CHANNEL, "1715000000.000001") is None
    assert find_task_id_by_ts(db, TEAM, CHANNEL, "1715000000.000001") == ours.id


# --- assign -------------------------------------------------------------------------------


def test_owner_hands_over_their_slot(db):
    task = new_task(db, slots=2)
    claim_task(db, TEAM, task.id, "U1", "button")
    claim_task(db, TEAM, task.id, "U2", "button")
    result = assign_task(db, TEAM, task.id, "U1", "U7", "command")
    assert result.replaced == "U1"
    assert set(result.task.owners) == {"U2", "U7"}
    assert "U1" not in result.task.owners + result.task.waitlist
    assert result.task.status == "claimed"
    assert set(get_task(db, TEAM, task.id).owners) == {"U2", "U7"}


def test_poster_fills_a_free_slot(db):
    task = new_task(db, slots=2)
    claim_task(db, TEAM, task.id, "U1", "button")
    result = assign_task(db, TEAM, task.id, POSTER, "U7", "command")
    assert result.replaced is None
    assert set(result.task.owners) == {"U1", "U7"}
    assert result.task.free_slots == 0


def test_poster_assigns_an_open_task(db):
    task = new_task(db, slots=1)
    with freeze_time(T0):
        result = assign_task(db, TEAM, task.id, POSTER, "U7", "modal")
    assert result.task.owners == ("U7",)
    assert result.task.status == "claimed"
    assert result.task.claimed_at == T0


def test_poster_cannot_overfill_a_full_task(db):
    task = new_task(db, slots=1)
    claim_task(db, TEAM, task.id, "U1", "button")
    with pytest.raises(DibsError, match="no free slot") as error:
        assign_task(db, TEAM, task.id, POSTER, "U7", "command")
    assert not isinstance(error.value, NotAllowed)
    assert "<@U1>" in str(error.value)
    assert get_task(db, TEAM, task.id).owners == ("U1",)


def test_stranger_may_not_hand_over(db):
    task = new_task(db, slots=2)
    claim_task(db, TEAM, task.id, "U1", "button")
    with pytest.raises(NotAllowed) as error:
        assign_task(db, TEAM, task.id, "U9", "U7", "command")
    assert "<@U1>" in str(error.value) and f"<@{POSTER}>" in str(error.value)
    assert get_task(db, TEAM, task.id).owners == ("U1",)


def test_assign_to_an_existing_owner_is_refused(db):
    task = new_task(db, slots=2)
    claim_task(db, TEAM, task.id, "U1", "button")
    claim_task(db, TEAM, task.id, "U2", "button")
    with pytest.raises(DibsError, match="already owns"):
        assign_task(db, TEAM, task.id, "U1", "U2", "command")


def test_assign_to_someone_waiting_takes_them_off_the_waitlist(db):
    task = new_task(db, slots=1)
    for user in ("U1", "U2", "U3"):
        claim_task(db, TEAM, task.id, user, "button")
    result = assign_task(db, TEAM, task.id, "U1", "U3", "command")
    assert result.replaced == "U1"
    assert result.task.owners == ("U3",)
    assert result.task.waitlist == ("U2",)
    assert claim_rows(db, task.id) == [("U2", "waiting"), ("U3", "owner")]


def test_assign_on_a_done_task_is_refused(db):
    task = new_task(db)
    complete_task(db, TEAM, task.id, POSTER, "command", needs_link=False)
    with pytest.raises(DibsError, match="already done"):
        assign_task(db, TEAM, task.id, POSTER, "U7", "command")


# --- lookups by ts ------------------------------------------------------------------------


def test_find_task_by_message_ts_and_by_reply_ts(db):
    task = new_task(db, ts="1715000000.000500")
    with db.begin() as session:
        session.execute(update(Task).where(Task.id == task.id).values(reply_ts="1715000000.000600"))
    assert find_task_id_by_ts(db, TEAM, CHANNEL, "1715000000.000500") == task.id
    assert find_task_id_by_ts(db, TEAM, CHANNEL, "1715000000.000600") == task.id
    assert find_task_id_by_ts(db, TEAM, CHANNEL, "1715000000.000700") is None
    assert find_task_id_by_ts(db, TEAM, "C999", "1715000000.000500") is None
    assert get_task(db, TEAM, task.id).reply_ts == "1715000000.000600"


# --- lists --------------------------------------------------------------------------------


def test_list_filters_and_totals(db):
    with freeze_time(T0) as clock:
        a = new_task(db, title="a")  # open, unclaimed
        clock.tick(60)
        b = new_task(db, title="b")  # claimed by U1
        clock.tick(60)
        c = new_task(db, title="c", slots=1)  # claimed by U2, U1 waiting
        clock.tick(60)
        d = new_task(db, title="d")  # done by U1
        clock.tick(60)
        e = new_task(db, title="e")  # open, unclaimed
    claim_task(db, TEAM, b.id, "U1", "button")
    claim_task(db, TEAM, c.id, "U2", "button")
    claim_task(db, TEAM, c.id, "U1", "button")
    claim_task(db, TEAM, d.id, "U1", "button")
    complete_task(db, TEAM, d.id, "U1", "button", needs_link=False)

    def ids(which, user="U1", limit=50):
        tasks, total = list_tasks(db, TEAM, which, user, limit=limit)
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


def test_list_shows_the_oldest_first(db):
    with freeze_time(T0 + timedelta(hours=2)):
        late = new_task(db, title="late")
    with freeze_time(T0):
        early = new_task(db, title="early")  # a higher id but created earlier
    with freeze_time(T0 + timedelta(hours=1)):
        middle = new_task(db, title="middle")
    for which in ("open", "unclaimed"):
        tasks, _ = list_tasks(db, TEAM, which, POSTER)
        assert [t.title for t in tasks] == ["early", "middle", "late"]
        assert [t.id for t in tasks] == [early.id, middle.id, late.id]
    for t in (early, middle, late):
        claim_task(db, TEAM, t.id, "U1", "button")
    tasks, _ = list_tasks(db, TEAM, "mine", "U1")
    assert [t.title for t in tasks] == ["early", "middle", "late"]


# --- audit trail --------------------------------------------------------------------------


def test_every_transition_is_recorded_once(db):
    task = new_task(db, slots=1)
    claim_task(db, TEAM, task.id, "U1", "reaction")
    claim_task(db, TEAM, task.id, "U2", "button")
    claim_task(db, TEAM, task.id, "U3", "command")
    claim_task(db, TEAM, task.id, "U1", "reaction")  # already owner: nothing happens
    release_claim(db, TEAM, task.id, "U9", "reaction")  # never claimed: nothing happens
    release_claim(db, TEAM, task.id, "U3", "button")
    release_claim(db, TEAM, task.id, "U1", "reaction")  # U2 is promoted
    assign_task(db, TEAM, task.id, "U2", "U4", "modal")
    with pytest.raises(NotAllowed):
        complete_task(db, TEAM, task.id, "U9", "button", needs_link=False)
    complete_task(db, TEAM, task.id, "U4", "command", needs_link=True, link="https://x.example/done")
    trail = events(db, task.id)
    assert [(actor, action, via) for actor, action, via, _ in trail] == [
        (POSTER, "created", "message"),
        ("U1", "claimed", "reaction"),
        ("U2", "waitlisted", "button"),
        ("U3", "waitlisted", "command"),
        ("U3", "left_waitlist", "button"),
        ("U1", "released", "reaction"),
        ("U2", "promoted", "reaction"),
        ("U2", "assigned", "modal"),
        ("U4", "done", "command"),
    ]
    assert trail[7][3] == "U4"  # the hand-over names its target
    assert trail[8][3] == "https://x.example/done"
    final = get_task(db, TEAM, task.id)
    assert final.version == len(trail)  # the version moves on once per recorded change
    with db.begin() as session:
        teams = set(session.scalars(select(TaskEvent.team_id).where(TaskEvent.task_id == task.id)))
    assert teams == {TEAM}


def test_audit_timestamps_follow_the_clock(db):
    with freeze_time(T0) as clock:
        task = new_task(db)
        clock.tick(120)
        claim_task(db, TEAM, task.id, "U1", "button")
    with db.begin() as session:
        times = session.scalars(select(TaskEvent.at).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)).all()
    assert list(times) == [T0, T0 + timedelta(seconds=120)]


# --- concurrency --------------------------------------------------------------------------


def claim_all_at_once(db, task_id: int, users: list[str]) -> list[str]:
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(user: str) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = claim_task(db, TEAM, task_id, user, "button").outcome
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


def test_twenty_people_claim_a_one_slot_task_at_once(db):
    task = new_task(db, slots=1)
    users = [f"U{i:02d}" for i in range(20)]
    outcomes = claim_all_at_once(db, task.id, users)
    assert Counter(outcomes) == {"claimed": 1, "waitlisted": 19}
    roles = claim_rows(db, task.id)
    assert [role for _, role in roles].count("owner") == 1
    assert len(roles) == 20 and {user for user, _ in roles} == set(users)
    stored = get_task(db, TEAM, task.id)
    assert len(stored.owners) == 1 and len(stored.waitlist) == 19
    assert stored.status == "claimed"
    assert stored.version == 1 + 20  # created + one event per claim, none lost
    assert Counter(action for _, action, _, _ in events(db, task.id)) == {
        "created": 1,
        "claimed": 1,
        "waitlisted": 19,
    }


def test_twenty_people_claim_a_two_slot_task_at_once(db):
    task = new_task(db, slots=2)
    users = [f"U{i:02d}" for i in range(20)]
    outcomes = claim_all_at_once(db, task.id, users)
    assert Counter(outcomes) == {"claimed": 2, "waitlisted": 18}
    roles = claim_rows(db, task.id)
    assert [role for _, role in roles].count("owner") == 2
    stored = get_task(db, TEAM, task.id)
    assert len(stored.owners) == 2 and len(stored.waitlist) == 18
    # The owners are the two earliest claims: nobody who came later jumped the line.
    assert [user for user, _ in roles[:2]] == list(stored.owners)

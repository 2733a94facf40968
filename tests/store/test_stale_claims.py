"""Claims that went quiet: when "still on it?" falls due, how it repeats and stops, the noise budget and
the digest, with freezegun for time (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from bot.digest.collect import collect_digest
from bot.digest.plan import plan_digests
from bot.editor.lists import drawn_list
from bot.reminders.stale import plan_stale_claims, snooze_nudge
from bot.settings import DigestSettings, NagSettings, Settings, parse_working_hours
from bot.tasks.errors import DibsError
from bot.tasks.service import NewTask
from bot.timing import local_day
from store.enums import PostState, Purpose, Via
from store.models import OutboxPost, PingCount, Task, TaskEvent, WatchedChannel
from tests.support.services import (
    claim_task,
    complete_task,
    create_task,
    release_claim,
    services_on,
    set_due_date,
)

# Tuesday 2026-12-01 10:00 in Berlin (09:00 UTC): inside working hours.
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SETTINGS = Settings(timezone="Europe/Berlin", working_hours=parse_working_hours("09:00-17:00 mon-fri"))
DAYS3 = timedelta(days=3)


@pytest.fixture
def svc(database_url):
    with services_on(database_url, SETTINGS) as services:
        yield services


def claimed(svc, at: datetime, ts: str = "1.1", user: str = "U2", title: str = "Booth") -> int:
    """A task posted and claimed by `user` at `at`; its id."""
    with freeze_time(at):
        new = NewTask(
            team_id="T1", channel_id="C1", kind="blog_comment", title=title, slots=2, posted_by="U1", message_ts=ts,
            source=Via.MESSAGE,
        )  # fmt: skip
        task = create_task(svc, new)
        claim_task(svc, "T1", task.id, user, Via.COMMAND)
    return task.id


def task_row(svc, task_id: int = 1) -> Task:
    with svc.db() as session:
        return session.get(Task, task_id)


def nudges(svc, state: PostState | None = None) -> list[OutboxPost]:
    with svc.db() as session:
        rows = session.scalars(select(OutboxPost).where(OutboxPost.purpose == Purpose.STALE).order_by(OutboxPost.id))
        return [r for r in rows if state is None or r.state == state]


def plan(svc, at: datetime) -> int:
    with freeze_time(at):
        return plan_stale_claims(svc, at)


def test_a_friday_afternoon_claim_is_asked_on_monday_afternoon(svc):
    # Friday 16:30 in Berlin + 3 days: Monday 16:30, inside working hours.
    claimed(svc, datetime(2026, 12, 4, 15, 30, tzinfo=UTC))
    assert task_row(svc).stale_nudge_at == datetime(2026, 12, 7, 15, 30, tzinfo=UTC)


def test_a_thursday_afternoon_claim_falling_on_sunday_is_asked_monday_morning(svc):
    claimed(svc, datetime(2026, 12, 3, 15, 0, tzinfo=UTC))  # Thursday 16:00 in Berlin; +3d is Sunday
    assert task_row(svc).stale_nudge_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


def test_the_owner_gets_a_dm_with_three_buttons_then_again_every_stale_claim_after(svc):
    claimed(svc, T0, title="Answer <!channel> & co")
    assert plan(svc, T0 + DAYS3 - timedelta(minutes=1)) == 0
    assert plan(svc, T0 + DAYS3) == 1  # Friday 10:00 in Berlin
    [dm] = nudges(svc)
    assert (dm.channel_id, dm.recipient, dm.state, dm.task_id) == ("U2", "U2", PostState.PENDING, 1)
    assert dm.text == "You took *#1* Answer &lt;!channel&gt; &amp; co in <#C1> 3 days ago: still on it?"
    buttons = [(e["action_id"], e["value"]) for e in json.loads(dm.blocks)[1]["elements"]]
    assert buttons == [("dibs_done", "1"), ("dibs_release", "1"), ("dibs_stale_snooze", "1")]
    task = task_row(svc)
    assert task.stale_nudge_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Friday + 3d = Monday 10:00
    assert plan(svc, T0 + DAYS3 + timedelta(hours=1)) == 0  # once per round
    assert plan(svc, datetime(2026, 12, 7, 9, 0, tzinfo=UTC)) == 1
    assert [n.text.split(" ago")[0][-6:] for n in nudges(svc)] == ["3 days", "6 days"]
    with svc.db() as session:
        events = session.scalars(select(TaskEvent.action).where(TaskEvent.task_id == 1).order_by(TaskEvent.id)).all()
    assert events == ["created", "claimed", "nudged", "nudged"]
    assert task_row(svc).version == task.version  # a nudge does not change how the task reads


def test_every_owner_is_asked(svc):
    claimed(svc, T0)
    with freeze_time(T0 + timedelta(minutes=5)):
        claim_task(svc, "T1", 1, "U3", Via.COMMAND)
    plan(svc, T0 + DAYS3 + timedelta(minutes=5))
    assert sorted(n.recipient for n in nudges(svc)) == ["U2", "U3"]


@pytest.mark.parametrize(
    "change",
    [
        lambda svc: complete_task(svc, "T1", 1, "U2", Via.COMMAND),
        lambda svc: release_claim(svc, "T1", 1, "U2", Via.COMMAND),
        lambda svc: set_due_date(svc, "T1", 1, "U2", date(2026, 12, 20)),
    ],
    ids=["done", "released", "dated"],
)
def test_done_released_or_dated_is_never_asked_again(svc, change):
    claimed(svc, T0)
    plan(svc, T0 + DAYS3)
    with freeze_time(T0 + DAYS3 + timedelta(hours=1)):
        change(svc)
    assert task_row(svc).stale_nudge_at is None
    for weeks in range(1, 4):
        plan(svc, T0 + timedelta(weeks=weeks))
    assert len(nudges(svc)) == 1


def test_a_nudge_queued_but_not_sent_is_dropped_once_the_task_is_done(svc):
    from bot.editor.handling import still_wanted

    claimed(svc, T0)
    plan(svc, T0 + DAYS3)
    with freeze_time(T0 + DAYS3):
        complete_task(svc, "T1", 1, "U2", Via.COMMAND)
    [dm] = nudges(svc)
    with svc.db() as session:
        assert not still_wanted(session, session.get(OutboxPost, dm.id))


def test_a_change_by_a_person_restarts_the_quiet_clock(svc):
    claimed(svc, T0)
    changed = T0 + timedelta(days=2)  # Thursday: a due date set and cleared again
    with freeze_time(changed):
        set_due_date(svc, "T1", 1, "U2", date(2026, 12, 20))
        set_due_date(svc, "T1", 1, "U2", None)
    task = task_row(svc)
    assert task.touched_at == changed
    assert task.stale_nudge_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Sunday 10:00 → Monday 09:00
    assert plan(svc, T0 + DAYS3) == 0 and nudges(svc) == []


def test_due_outside_working_hours_it_waits_for_the_morning(svc):
    claimed(svc, T0)
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)  # the planner ran late (no process on Friday)
    assert plan(svc, saturday) == 0
    assert task_row(svc).stale_nudge_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert plan(svc, datetime(2026, 12, 7, 8, 0, tzinfo=UTC)) == 1


def test_a_muted_channel_skips_the_round(svc):
    claimed(svc, T0)
    with svc.db.begin() as session:
        session.add(WatchedChannel(team_id="T1", channel_id="C1", added_by="U1", added_at=T0, muted=True))
    assert plan(svc, T0 + DAYS3) == 0
    assert nudges(svc) == [] and task_row(svc).stale_nudge_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_over_the_noise_budget_the_nudge_is_held_for_the_digest(svc):
    claimed(svc, T0)
    friday = T0 + DAYS3
    with svc.db.begin() as session:
        session.add(PingCount(team_id="T1", user_id="U2", day=local_day(friday, SETTINGS), count=3))
    assert plan(svc, friday) == 1
    [held] = nudges(svc)
    assert held.state == PostState.FOLDED and held.blocks is None
    assert held.text == "<@U2> took *#1* Booth 3 days ago: still on it?"
    with svc.db.begin() as session:
        data = collect_digest(session, SETTINGS, "T1", "C1", friday, friday - timedelta(days=1))
    assert data.folded == ["• <@U2> took *#1* Booth 3 days ago: still on it?"]
    assert [(q.task.id, q.since) for q in data.quiet] == [(1, T0)]
    assert nudges(svc)[0].state == PostState.DIGESTED


def test_the_digest_lists_quiet_claims_quietest_first(svc):
    claimed(svc, T0, ts="1.1")
    claimed(svc, T0 - timedelta(days=2), ts="1.2", title="Older")
    claimed(svc, T0 + timedelta(days=2), ts="1.3", title="Recent")  # quiet for 1 day only: not listed
    with svc.db.begin() as session:
        data = collect_digest(session, SETTINGS, "T1", "C1", T0 + DAYS3, T0, take_held=False)
    assert [q.task.title for q in data.quiet] == ["Older", "Booth"] and data.quiet_total == 2


def test_off_disables_the_nudges_and_the_digest_section(database_url):
    off = SETTINGS.model_copy(update={"nag": NagSettings(stale_claim_after=None)})
    with services_on(database_url, off) as svc:
        claimed(svc, T0)
        assert task_row(svc).stale_nudge_at is None
        assert plan(svc, T0 + timedelta(days=30)) == 0 and nudges(svc) == []
        with svc.db.begin() as session:
            assert collect_digest(session, off, "T1", "C1", T0 + timedelta(days=30), T0).quiet == []


def test_snooze_asks_one_stale_claim_after_later(svc):
    claimed(svc, T0)
    plan(svc, T0 + DAYS3)  # asked on Friday; next on Monday 10:00
    with freeze_time(T0 + DAYS3 + timedelta(hours=1)):
        answer = snooze_nudge(svc, "T1", 1, "U2")
        with pytest.raises(DibsError, match="You don't own #1"):
            snooze_nudge(svc, "T1", 1, "U9")
    assert task_row(svc).stale_nudge_at == datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # Thursday 10:00
    assert answer == "Got it. I'll ask again on Thu 10 Dec if #1 is still quiet then."
    assert plan(svc, datetime(2026, 12, 7, 9, 0, tzinfo=UTC)) == 0
    assert plan(svc, datetime(2026, 12, 10, 9, 0, tzinfo=UTC)) == 1
    with svc.db() as session:
        assert session.scalars(select(TaskEvent.action).order_by(TaskEvent.id.desc())).first() == "nudged"


class Editions:
    """The morning editions planned so far, and how the channel's list would read now."""

    def __init__(self, svc) -> None:
        self.svc, self.count = svc, 0

    def plan(self, at: datetime) -> int:
        with freeze_time(at):
            self.count += plan_digests(self.svc, at, due=True)
        return self.count

    def shown(self, at: datetime) -> str:
        drawn = drawn_list(self.svc, "T1", "C1", at)
        assert drawn is not None
        return str(drawn[2].as_kwargs())


@pytest.mark.parametrize("when_unchanged", ["skip", "post"])
def test_when_unchanged_skip_posts_only_after_a_change(database_url, when_unchanged):
    every_day = SETTINGS.model_copy(
        update={"digest": DigestSettings(days=frozenset(range(7)), when_unchanged=when_unchanged)}
    )
    with services_on(database_url, every_day) as svc:
        with svc.db.begin() as session:
            session.add(WatchedChannel(team_id="T1", channel_id="C1", added_by="U1", added_at=T0 - timedelta(days=9)))
        claimed(svc, T0 - timedelta(days=1))  # Monday

        editions = Editions(svc)

        def digest_on(day: int) -> int:
            at = datetime(2026, 12, day, 8, 30, tzinfo=UTC)  # 09:30 in Berlin
            with freeze_time(at):
                plan_stale_claims(svc, at)  # a nudge ("nudged", by the schedule) is no change
            return editions.plan(at)

        assert digest_on(1) == 1  # Tuesday: the first digest
        assert digest_on(2) == (1 if when_unchanged == "skip" else 2)  # Wednesday: nothing happened
        with freeze_time(datetime(2026, 12, 2, 12, 0, tzinfo=UTC)):
            snooze_nudge(svc, "T1", 1, "U2")  # nor is Snooze on it
        assert digest_on(3) == (1 if when_unchanged == "skip" else 3)
        with freeze_time(datetime(2026, 12, 3, 12, 0, tzinfo=UTC)):
            complete_task(svc, "T1", 1, "U2", Via.COMMAND)
        assert digest_on(4) == (2 if when_unchanged == "skip" else 4)  # Friday: #1 was done on Thursday
        shown = editions.shown(datetime(2026, 12, 4, 8, 31, tzinfo=UTC))
        assert "*#1*" in shown and "Done since the last list" in shown
        assert digest_on(5) == (2 if when_unchanged == "skip" else 5)


def test_when_unchanged_skip_still_posts_what_was_held_back(database_url):
    every_day = SETTINGS.model_copy(update={"digest": DigestSettings(days=frozenset(range(7)), when_unchanged="skip")})
    with services_on(database_url, every_day) as svc:
        with svc.db.begin() as session:
            session.add(WatchedChannel(team_id="T1", channel_id="C1", added_by="U1", added_at=T0 - timedelta(days=9)))
        claimed(svc, T0 - timedelta(days=3))  # Saturday
        editions = Editions(svc)
        editions.plan(T0)  # Tuesday's
        wednesday = T0 + timedelta(days=1)
        with svc.db.begin() as session:
            session.add(PingCount(team_id="T1", user_id="U2", day=local_day(wednesday, SETTINGS), count=3))
        plan(svc, T0 + timedelta(hours=1))  # asked Tuesday 11:00, over the budget: held back
        assert editions.plan(wednesday) == 1  # the budget was Wednesday's; Tuesday's ping went out

        with svc.db.begin() as session:
            session.add(PingCount(team_id="T1", user_id="U2", day=local_day(T0 + timedelta(days=3), SETTINGS), count=3))
        plan(svc, T0 + timedelta(days=3, hours=1))  # Friday 11:00: held back
        friday = T0 + timedelta(days=3, hours=2)
        assert editions.plan(friday) == 2
        shown = editions.shown(friday)
        assert "Held back" in shown and "still on it?" in shown

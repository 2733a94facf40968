"""Retention: done and cancelled tasks closed longer ago than `retention.closed_after` are forgotten with every
row that refers to them, in batches; open tasks, recent ones and everything with `off` stay; `/dibs stats`
says when its period reaches back past the horizon. Freezegun for time (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select, update

from bot.services import Services
from bot.services.insight import stats_answer
from bot.settings import RetentionSettings, Settings, SettingsError, settings_from_yaml
from bot.tasks.retention import forget_closed, forget_closed_when_due
from bot.tasks.service import NewTask, cancel_task
from store.enums import PostState, Via
from store.models import (
    Base,
    ClaimRequest,
    ExternalKey,
    GiftRecipient,
    OutboxPost,
    Swap,
    Task,
    TaskEvent,
    TrackedPhrase,
    Undo,
)
from store.queries.retention import task_references
from store.queries.tasks import lock_task
from tests.support.services import claim_task, complete_task, create_task, services_on

TEAM, CHANNEL = "T1", "C1"
T0 = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)
KEPT = timedelta(days=400)
SETTINGS = Settings()  # retention.closed_after: 400d


@pytest.fixture
def svc(database_url: str) -> Iterator[Services]:
    with services_on(database_url, SETTINGS) as services:
        yield services


def new(svc: Services, when: datetime, ts: str, kind: str = "blog_comment") -> int:
    with freeze_time(when):
        task = create_task(svc, NewTask(TEAM, CHANNEL, kind, f"Task {ts}", 2, "UPOSTER", ts, Via.MESSAGE))
    sent(svc)
    return task.id


def done(svc: Services, when: datetime, ts: str, kind: str = "blog_comment") -> int:
    """A task posted, claimed by U2 and done by them at `when`; its id."""
    task_id = new(svc, when - timedelta(hours=2), ts, kind)
    with freeze_time(when - timedelta(hours=1)):
        claim_task(svc, TEAM, task_id, "U2", Via.BUTTON)
    with freeze_time(when):
        complete_task(svc, TEAM, task_id, "U2", Via.BUTTON)
    sent(svc)
    return task_id


def cancelled(svc: Services, created: datetime, when: datetime, ts: str) -> int:
    task_id = new(svc, created, ts)
    with svc.transaction(now=when) as tx, freeze_time(when):
        assert cancel_task(tx, TEAM, CHANNEL, ts, "the post was deleted") is not None
    sent(svc)
    return task_id


def sent(svc: Services) -> None:
    """Every Slack call queued so far was made (there is no courier here)."""
    with svc.transaction() as tx:
        tx.session.execute(update(OutboxPost).where(OutboxPost.state == PostState.PENDING).values(state=PostState.SENT))


def task_ids(svc: Services) -> set[int]:
    with svc.read() as session:
        return set(session.scalars(select(Task.id)))


def rows_of(svc: Services, task_id: int) -> dict[str, int]:
    """How many rows of each table refer to the task (in any column)."""
    found: dict[str, int] = {}
    with svc.read() as session:
        for table, column in task_references():
            count = session.scalar(select(func.count()).select_from(table).where(column == task_id)) or 0
            if count:
                found[f"{table.name}.{column.name}"] = count
    return found


def everything_about(svc: Services, task_id: int, other: int) -> None:
    """Give the task a row in every table that can refer to one (and a gift recipient of `other` that it
    follows up)."""
    with svc.transaction() as tx:
        s = tx.session
        s.add(Swap(team_id=TEAM, task_id=task_id, from_user="U2", to_user="U3", state="declined"))
        s.add(ClaimRequest(team_id=TEAM, task_id=task_id, user_id="U4", via=Via.BUTTON))
        s.add(Undo(team_id=TEAM, task_id=task_id, actor="U2", action="done", version=1, before="{}", used=True))
        s.add(TrackedPhrase(team_id=TEAM, task_id=task_id, kind="blog_comment", phrase="left comment", words="x"))
        s.add(GiftRecipient(team_id=TEAM, task_id=task_id, name="Ada", name_key="ada"))
        s.add(GiftRecipient(team_id=TEAM, task_id=other, name="Bo", name_key="bo", followup_task_id=task_id))
        s.add(ExternalKey(team_id=TEAM, key="feed:guid-1", task_id=task_id))
        s.add(OutboxPost(team_id=TEAM, channel_id=CHANNEL, task_id=task_id, purpose="note", text="x",
                         dedupe_key=f"old:{task_id}", state=PostState.FAILED))  # fmt: skip


def test_every_table_that_refers_to_a_task_is_covered():
    references = {f"{table.name}.{column.name}" for table, column in task_references()}
    declared = {
        f"{table.name}.{fk.parent.name}"
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "tasks"
    }
    assert references == declared
    assert {"claims.task_id", "task_events.task_id", "outbox.task_id", "gift_recipients.task_id"} <= references


def test_a_task_done_longer_ago_than_the_horizon_goes_with_every_row_of_it(svc):
    old = done(svc, T0, "1.0")
    other = done(svc, T0 + timedelta(days=300), "2.0", kind="gift_campaign")
    everything_about(svc, old, other)
    assert {"claims.task_id", "task_events.task_id", "outbox.task_id", "undos.task_id"} <= set(rows_of(svc, old))

    with freeze_time(T0 + KEPT - timedelta(minutes=1)):
        assert forget_closed(svc, T0 + KEPT - timedelta(minutes=1)) == 0  # not yet
    with freeze_time(T0 + KEPT + timedelta(minutes=1)):
        assert forget_closed(svc, T0 + KEPT + timedelta(minutes=1)) == 1

    assert task_ids(svc) == {other}
    assert rows_of(svc, old) == {}
    with svc.read() as session:
        key = session.get(ExternalKey, (TEAM, "feed:guid-1"))
        assert key is not None and key.task_id is None  # the feed item is still known: never announced again
        recipients = session.scalars(select(GiftRecipient)).all()
        assert [(r.name, r.task_id, r.followup_task_id) for r in recipients] == [("Bo", other, None)]
        assert session.scalar(select(func.count()).select_from(TaskEvent).where(TaskEvent.task_id == other))


def test_open_and_claimed_tasks_of_any_age_stay(svc):
    waiting = new(svc, T0 - timedelta(days=2000), "1.0")
    taken = new(svc, T0 - timedelta(days=2000), "2.0")
    with freeze_time(T0 - timedelta(days=1999)):
        claim_task(svc, TEAM, taken, "U2", Via.BUTTON)
    sent(svc)
    assert forget_closed(svc, T0) == 0
    assert task_ids(svc) == {waiting, taken}


def test_a_task_closed_recently_stays_however_old_it_is(svc):
    old_but_recent = done(svc, T0 - timedelta(days=10), "1.0")
    with svc.transaction() as tx:
        tx.session.execute(update(Task).values(created_at=T0 - timedelta(days=3000)))
    assert forget_closed(svc, T0) == 0
    assert task_ids(svc) == {old_but_recent}


def test_a_cancelled_task_counts_from_its_cancellation(svc):
    long_ago = cancelled(svc, T0 - timedelta(days=600), T0 - timedelta(days=500), "1.0")
    lately = cancelled(svc, T0 - timedelta(days=600), T0 - timedelta(days=5), "2.0")
    assert forget_closed(svc, T0) == 1
    assert task_ids(svc) == {lately}
    assert rows_of(svc, long_ago) == {}


def test_a_task_with_a_slack_call_still_owed_waits_for_it(svc):
    old = done(svc, T0 - timedelta(days=500), "1.0")
    with svc.transaction() as tx:
        tx.session.add(OutboxPost(team_id=TEAM, channel_id=CHANNEL, task_id=old, purpose="thread", text="x",
                                  dedupe_key="owed", state=PostState.PENDING))  # fmt: skip
    assert forget_closed(svc, T0) == 0
    sent(svc)
    assert forget_closed(svc, T0) == 1


def test_batches_of_a_few_tasks_each_in_a_few_transactions_per_call(svc):
    old = [done(svc, T0 - timedelta(days=500 + n), f"{n}.0") for n in range(5)]
    assert forget_closed(svc, T0, batch=2, rounds=2) == 4
    assert task_ids(svc) == {max(old)}  # lowest ids first
    assert forget_closed(svc, T0, batch=2, rounds=2) == 1
    assert task_ids(svc) == set()


def test_the_tick_looks_again_an_hour_later_unless_full_batches_went(svc):
    done(svc, T0 - timedelta(days=500), "1.0")
    assert forget_closed_when_due(svc, T0) == 1
    done(svc, T0 - timedelta(days=500), "2.0")
    assert forget_closed_when_due(svc, T0 + timedelta(minutes=30)) == 0  # looked less than an hour ago
    assert forget_closed_when_due(svc, T0 + timedelta(minutes=61)) == 1


def test_off_keeps_everything(database_url):
    off = settings_from_yaml({"retention": {"closed_after": False}}, Settings())  # YAML reads `off` as false
    assert off.retention.closed_after is None
    with services_on(database_url, off) as svc:
        done(svc, T0 - timedelta(days=5000), "1.0")
        cancelled(svc, T0 - timedelta(days=5000), T0 - timedelta(days=4000), "2.0")
        assert forget_closed(svc, T0) == 0
        assert len(task_ids(svc)) == 2


def test_the_setting_reads_durations_and_off_and_refuses_less_than_a_day():
    assert Settings().retention.closed_after == timedelta(days=400)
    assert settings_from_yaml({"retention": {"closed_after": "90d"}}, Settings()).retention == RetentionSettings(
        closed_after=timedelta(days=90)
    )
    assert settings_from_yaml({"retention": {"closed_after": "off"}}, Settings()).retention.closed_after is None
    with pytest.raises(SettingsError, match=r"^retention.closed_after: '2h' is too short; keep closed tasks a day"):
        settings_from_yaml({"retention": {"closed_after": "2h"}}, Settings())


def test_stats_say_when_their_period_reaches_past_the_horizon(database_url):
    short = Settings(timezone="Europe/Berlin", retention=RetentionSettings(closed_after=timedelta(days=30)))
    with services_on(database_url, short) as svc, freeze_time(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)):
        done(svc, datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "1.0")
        for detail in (False, True):
            wide = stats_answer(svc, TEAM, CHANNEL, 90, everywhere=False, detail=detail)
            # 30 days before Thu 3 Dec 23:30 UTC is 4 Nov 00:30 in Berlin.
            sentence = "Tasks closed before 4 Nov 2026 are no longer kept (retention.closed_after: 30d)."
            assert sentence in str(wide.blocks)
        within = stats_answer(svc, TEAM, CHANNEL, 30, everywhere=False)
        assert "no longer kept" not in str(within.blocks)
    with services_on(database_url, Settings()) as svc, freeze_time(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)):
        assert "no longer kept" not in str(stats_answer(svc, TEAM, CHANNEL, 90, everywhere=False).blocks)


def test_a_task_another_process_holds_is_skipped_not_waited_for(pg_url):
    with services_on(pg_url, SETTINGS) as svc:
        held = done(svc, T0 - timedelta(days=500), "1.0")
        free = done(svc, T0 - timedelta(days=500), "2.0")
        with svc.transaction() as other:
            assert lock_task(other.session, TEAM, held) is not None  # a change in flight on it
            assert forget_closed(svc, T0) == 1
        assert task_ids(svc) == {held} and free not in task_ids(svc)
        assert forget_closed(svc, T0) == 1


def test_the_schedulers_tick_forgets_them(dibs):
    old = done(dibs.services, T0 - timedelta(days=500), "1.0")
    kept = done(dibs.services, T0 - timedelta(days=5), "2.0")
    with freeze_time(T0):
        dibs.tick(T0)
    assert task_ids(dibs.services) == {kept} and old != kept

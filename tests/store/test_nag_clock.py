"""The nag clock kept by the task services, with freezegun for time (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from bot.settings import Settings, parse_working_hours
from bot.tasks import claim_task, create_task, release_claim, snooze_task
from store.db import make_engine, make_session_factory, migrate
from store.models import Task

# Tuesday 2026-12-01 10:00 in Berlin (09:00 UTC): inside working hours.
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SETTINGS = replace(Settings(), timezone="Europe/Berlin", working_hours=parse_working_hours("09:00-17:00 mon-fri"))


@pytest.fixture
def db(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    yield make_session_factory(engine)
    engine.dispose()


def new_task(db, ts="1.1"):
    return create_task(
        db,
        team_id="T1",
        channel_id="C1",
        kind="event",
        title="Booth",
        slots=1,
        posted_by="U1",
        message_ts=ts,
        source="message",
        settings=SETTINGS,
    )


def next_nag(db, task_id=1):
    with db() as session:
        return session.scalars(select(Task.next_nag_at).where(Task.id == task_id)).one()


def test_a_new_task_is_first_nagged_after_first_after(db):
    with freeze_time(T0):
        new_task(db)
    assert next_nag(db) == T0 + timedelta(hours=2)


def test_a_task_opened_late_in_the_day_is_nagged_next_morning(db):
    with freeze_time(datetime(2026, 12, 4, 15, 30, tzinfo=UTC)):  # Friday 16:30 in Berlin
        new_task(db)
    assert next_nag(db) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


def test_a_claim_stops_the_clock_and_a_release_restarts_it(db):
    with freeze_time(T0):
        new_task(db)
    with freeze_time(T0 + timedelta(minutes=30)):
        claim_task(db, "T1", 1, "U2", "command", SETTINGS)
    assert next_nag(db) is None
    released = T0 + timedelta(hours=3)
    with freeze_time(released):
        release_claim(db, "T1", 1, "U2", "command", SETTINGS)
    assert next_nag(db) == released + timedelta(hours=2)


def test_snooze_moves_the_next_reminder_to_the_end_of_the_snooze(db):
    with freeze_time(T0):
        new_task(db)
    with freeze_time(T0 + timedelta(hours=1)):
        snooze_task(db, "T1", 1, "U2", T0 + timedelta(days=2))
    assert next_nag(db) == T0 + timedelta(days=2)
    with freeze_time(T0 + timedelta(hours=2)):  # a claim and release during the snooze keep it
        claim_task(db, "T1", 1, "U2", "command", SETTINGS)
        release_claim(db, "T1", 1, "U2", "command", SETTINGS)
    assert next_nag(db) == T0 + timedelta(days=2)

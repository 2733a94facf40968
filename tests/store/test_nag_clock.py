"""The nag clock kept by the task services, with freezegun for time (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from bot.settings import Settings, parse_working_hours
from bot.tasks.service import NewTask
from store.enums import Via
from store.models import Task
from tests.support.services import claim_task, create_task, release_claim, services_on, snooze_task

# Tuesday 2026-12-01 10:00 in Berlin (09:00 UTC): inside working hours.
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SETTINGS = Settings(timezone="Europe/Berlin", working_hours=parse_working_hours("09:00-17:00 mon-fri"))


@pytest.fixture
def svc(database_url):
    with services_on(database_url, SETTINGS) as services:
        yield services


def new_task(svc, ts="1.1"):
    new = NewTask(
        team_id="T1", channel_id="C1", kind="event", title="Booth", slots=1, posted_by="U1", message_ts=ts,
        source=Via.MESSAGE,
    )  # fmt: skip
    return create_task(svc, new)


def next_nag(svc, task_id=1):
    with svc.db() as session:
        return session.scalars(select(Task.next_nag_at).where(Task.id == task_id)).one()


def test_a_new_task_is_first_nagged_after_first_after(svc):
    with freeze_time(T0):
        new_task(svc)
    assert next_nag(svc) == T0 + timedelta(hours=2)


def test_a_task_opened_late_in_the_day_is_nagged_next_morning(svc):
    with freeze_time(datetime(2026, 12, 4, 15, 30, tzinfo=UTC)):  # Friday 16:30 in Berlin
        new_task(svc)
    assert next_nag(svc) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


def test_a_claim_stops_the_clock_and_a_release_restarts_it(svc):
    with freeze_time(T0):
        new_task(svc)
    with freeze_time(T0 + timedelta(minutes=30)):
        claim_task(svc, "T1", 1, "U2", "command")
    assert next_nag(svc) is None
    released = T0 + timedelta(hours=3)
    with freeze_time(released):
        release_claim(svc, "T1", 1, "U2", "command")
    assert next_nag(svc) == released + timedelta(hours=2)


def test_snooze_moves_the_next_reminder_to_the_end_of_the_snooze(svc):
    with freeze_time(T0):
        new_task(svc)
    with freeze_time(T0 + timedelta(hours=1)):
        snooze_task(svc, "T1", 1, "U1", T0 + timedelta(days=2))
    assert next_nag(svc) == T0 + timedelta(days=2)
    with freeze_time(T0 + timedelta(hours=2)):  # a claim and release during the snooze keep it
        claim_task(svc, "T1", 1, "U2", "command")
        release_claim(svc, "T1", 1, "U2", "command")
    assert next_nag(svc) == T0 + timedelta(days=2)

"""Named queries that decide races: their answers must be right on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from store.db import make_engine, make_session_factory, migrate
from store.models import utcnow
from store.queries.channels import add_watched, record_event
from store.queries.digests import claim_digest_day


@pytest.fixture
def db(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.mark.parametrize(
    "insert",
    [
        lambda s: add_watched(s, "T1", "C1", "U1", utcnow()),
        lambda s: record_event(s, "T1", "Ev1", utcnow()),
        lambda s: claim_digest_day(s, "T1", "C1", date(2026, 12, 1), utcnow()),
    ],
    ids=["watch", "event id", "digest day"],
)
def test_insert_if_new_says_who_won(db, insert):
    # SQLAlchemy 2.1 reports no rowcount for an INSERT on PostgreSQL unless asked to keep it:
    # without that, every caller believed it had won the race.
    with db.begin() as session:
        assert insert(session) is True
    with db.begin() as session:
        assert insert(session) is False

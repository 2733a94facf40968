"""Alembic migrations on both databases: an existing install upgrades with its data, and downgrades."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

from store.db import MIGRATIONS, make_engine


def run(engine, action, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


@contextmanager
def at_revision(database_url: str, revision: str) -> Iterator[Engine]:
    """An engine on the test database migrated from nothing up to `revision` (the fixture's database may
    already be at head), disposed afterwards."""
    engine = make_engine(database_url)
    try:
        run(engine, command.downgrade, "base")
        run(engine, command.upgrade, revision)
        yield engine
    finally:
        engine.dispose()


def test_open_tasks_of_an_existing_install_start_their_nag_clock(database_url):
    with at_revision(database_url, "0001") as engine:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO tasks (team_id, channel_id, kind, title, status, slots, posted_by, source, message_ts,"
                    " created_at, version, thread_version) VALUES"
                    " ('T1', 'C1', 'event', 'Booth', 'open', 2, 'U1', 'message', '1.1', '2026-11-01 10:00', 1, 1),"
                    " ('T1', 'C1', 'event', 'Expo', 'claimed', 2, 'U1', 'message', '1.2', '2026-11-01 10:00', 1, 1)"
                )
            )
        run(engine, command.upgrade, "head")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT status, next_nag_at, nags_sent FROM tasks ORDER BY id")).all()
        assert rows[0].next_nag_at is not None and rows[0].nags_sent == 0
        assert rows[1].next_nag_at is None
        run(engine, command.downgrade, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_titles_and_proof_stored_escaped_are_stored_as_typed_after_0004(database_url):
    with at_revision(database_url, "0003") as engine:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO tasks (team_id, channel_id, kind, title, status, slots, posted_by, source, message_ts,"
                    " created_at, version, thread_version, nags_sent, poster_nagged, due_reminders_sent,"
                    " thread_attempts, done_link) VALUES ('T1', 'G1', 'event', 'Q&amp;A &lt;booth&gt;', 'open', 2,"
                    " 'U1', 'message', '1.1', '2026-11-01 10:00', 1, 1, 0, false, 0, 0, 'a&lt;!channel&gt;b')"
                )
            )
        run(engine, command.upgrade, "0004")
        with engine.connect() as connection:
            row = connection.execute(text("SELECT title, done_link, private FROM tasks")).one()
        assert (row.title, row.done_link, bool(row.private)) == ("Q&A <booth>", "a<!channel>b", True)
        run(engine, command.downgrade, "0003")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT title FROM tasks")).scalar() == "Q&amp;A &lt;booth&gt;"
        run(engine, command.upgrade, "head")


def test_claims_made_before_0008_are_looked_at_for_going_quiet(database_url):
    with at_revision(database_url, "0007") as engine:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO tasks (team_id, channel_id, kind, title, status, slots, posted_by, source, message_ts,"
                    " created_at, claimed_at, version, thread_version, nags_sent, poster_nagged, due_reminders_sent,"
                    " thread_attempts, private, due_on) VALUES"
                    " ('T1', 'C1', 'event', 'Quiet', 'claimed', 2, 'U1', 'message', '1.1', '2026-11-01 10:00',"
                    " '2026-11-01 11:00', 1, 1, 0, false, 0, 0, false, NULL),"
                    " ('T1', 'C1', 'event', 'Dated', 'claimed', 2, 'U1', 'message', '1.2', '2026-11-01 10:00',"
                    " '2026-11-01 11:00', 1, 1, 0, false, 0, 0, false, '2026-12-12'),"
                    " ('T1', 'C1', 'event', 'Open', 'open', 2, 'U1', 'message', '1.3', '2026-11-01 10:00',"
                    " NULL, 1, 1, 0, false, 0, 0, false, NULL)"
                )
            )
        run(engine, command.upgrade, "0008")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT title, stale_nudge_at FROM tasks ORDER BY id")).all()
        assert [(title, at is not None) for title, at in rows] == [("Quiet", True), ("Dated", False), ("Open", False)]
        run(engine, command.upgrade, "head")

"""Fixtures: a fake Slack on loopback, a database per test (SQLite and PostgreSQL), a bot wired to both."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from sqlalchemy import create_engine, text

from bot.app import Dibs, create_app
from bot.settings import Settings
from store.db import make_engine, migrate, normalise_url
from store.models import Base
from tests.support.clock import SkippingClock
from tests.support.fakeslack import FakeSlack
from tests.support.payloads import Sender

SECRET = "test-signing-secret"
# The server's maintenance database, which every PostgreSQL has: the per-run database is created
# through it (a `test` database need not exist).
ADMIN_URL = os.environ.get("DIBS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _postgres_reason() -> str | None:
    try:
        engine = create_engine(normalise_url(ADMIN_URL), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:
        # The driver's own words (wrong database, refused, password needed), not just the class name.
        cause = error.orig if isinstance(getattr(error, "orig", None), Exception) else error
        lines = str(cause).strip().splitlines()
        return f"PostgreSQL at {ADMIN_URL} is not usable: {type(cause).__name__}: {lines[0] if lines else ''}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test session's own on the local PostgreSQL, dropped at the end."""
    reason = _postgres_reason()
    if reason:
        if os.environ.get("DIBS_REQUIRE_POSTGRES"):
            pytest.fail(f"{reason}, and DIBS_REQUIRE_POSTGRES is set")
        pytest.skip(f"{reason}; set DIBS_TEST_POSTGRES to run the PostgreSQL half")
    name = f"dibs_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# Dibs's tables and slack_sdk's installation and OAuth state tables (migration 0007).
SLACK_SDK_TABLES = ("slack_installations", "slack_bots", "slack_oauth_states")


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest migration, made once per test process: each test gets a copy
    (migrating a new file costs a tenth of a second, and Alembic's import in every `dibs serve` started)."""
    path = tmp_path_factory.mktemp("schema") / "dibs.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean database: a new SQLite file (already migrated), or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_schema"), tmp_path / "dibs.db")
        return f"sqlite:///{tmp_path / 'dibs.db'}"
    return emptied(request.getfixturevalue("postgres_url"))


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    """The session's PostgreSQL database, emptied: for tests that are about PostgreSQL itself."""
    return emptied(postgres_url)


def emptied(url: str) -> str:
    """The database at `url` with every row deleted and every id counting from 1 again. DELETE in foreign-key
    order, not TRUNCATE: on tables this small it costs a quarter of the time (TRUNCATE of 25 tables took
    about 100 ms a test, over 600 PostgreSQL tests)."""
    engine = create_engine(normalise_url(url))
    with engine.begin() as connection:
        if connection.execute(text("SELECT to_regclass('tasks')")).scalar():
            connection.exec_driver_sql(_EMPTYING.get(url) or _emptying(url, connection))
    engine.dispose()
    return url


_EMPTYING: dict[str, str] = {}


def _emptying(url: str, connection: Any) -> str:
    """The statements that empty the schema at `url` (its sequences are read once)."""
    sequences = connection.execute(
        text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")
    ).scalars()
    tables = [*SLACK_SDK_TABLES, *(table.name for table in reversed(Base.metadata.sorted_tables))]
    _EMPTYING[url] = "; ".join(
        [*(f"DELETE FROM {t}" for t in tables), *(f"ALTER SEQUENCE {s} RESTART" for s in sequences)]
    )
    return _EMPTYING[url]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@pytest.fixture
def settings(database_url: str, fake: FakeSlack) -> Settings:
    return Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.base_url, database_url=database_url)


def fast_retries() -> list[RetryHandler]:
    """slack_sdk's retry handlers as Dibs uses them, minus the back-off waits (429's Retry-After stays real)."""
    quick = FixedValueRetryIntervalCalculator(0.01)
    return [
        ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=quick),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=quick),
    ]


@pytest.fixture
def dibs(settings: Settings) -> Iterator[Dibs]:
    bot = make_dibs(settings)
    yield bot
    bot.shutdown()


@pytest.fixture
def slack(dibs: Dibs) -> Sender:
    return sender_for(dibs)


def sender_for(bot: Dibs) -> Sender:
    """Signed requests into `bot` in-process; what each queues for Slack is delivered before it returns."""
    return Sender(SECRET, app=bot.app, after=lambda: bot.deliver(linger=timedelta(0)))


def make_dibs(settings: Settings, **changes: object) -> Dibs:
    """A bot in this process with these settings changed (kinds, reactions...): its waits cost no time."""
    return create_app(
        settings.model_copy(update=changes),
        clock=SkippingClock(),
        retry_handlers=fast_retries(),
    )

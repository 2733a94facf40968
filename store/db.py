"""Engine and session factory for SQLite (default) and PostgreSQL, and schema migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant will do: it only has to be the same in every Dibs process sharing the database.
MIGRATION_LOCK_KEY = 0x0D1B5
# The newest migration (tests check that it is Alembic's head).
HEAD = "0012"
# An execution option: transactions of a connection carrying it only read.
READ_ONLY = "dibs_read_only"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (postgres:// or postgresql://)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> Engine:
    """Create an engine; on SQLite every transaction takes the write lock up front.

    `BEGIN IMMEDIATE` makes a claim's read-count-insert atomic across threads and processes,
    which is what PostgreSQL's `SELECT ... FOR UPDATE` gives us there.
    """
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so our BEGIN IMMEDIATE is the one used.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if make_url(url).database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL keeps every commit through a crash of the process (SIGKILL included),
            # without an fsync per commit; only an operating-system crash or power loss may lose the
            # last commits. Run on PostgreSQL where that matters.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (services return plain data anyway)."""
    return sessionmaker(engine, expire_on_commit=False)


def make_reader_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only: on SQLite they begin a deferred transaction, which takes no write lock."""
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def schema_revision(engine: Engine) -> str | None:
    """The schema's Alembic revision, or None for a database Dibs never migrated (asked without Alembic)."""
    with engine.connect() as connection:  # a database that cannot be reached raises here
        try:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:  # no alembic_version table yet: a new database
            return None
    return None if found is None else str(found)


def at_head(engine: Engine) -> bool:
    """Whether the schema is at the newest revision (asked without importing Alembic)."""
    return schema_revision(engine) == HEAD


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision; safe when several processes start at once.

    Alembic is imported only when there is something to do (it weighs about 10 MB in a process).
    """
    if at_head(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def database_answers(engine: Engine) -> bool:
    """True when the database answers a trivial query (used by /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False

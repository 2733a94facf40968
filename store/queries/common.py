"""Statements every repository needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: type[Any], **values: Any) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True if the row is new (the caller won the race)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # SQLAlchemy only promises a rowcount for UPDATE and DELETE unless asked to keep it.
    statement = insert(model).values(**values).on_conflict_do_nothing()
    result = session.execute(statement, execution_options={"preserve_rowcount": True})
    return bool(rows_changed(result))


def rows_changed(result: Any) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return int(result.rowcount)


def insert_ignore_returning(session: Session, model: type[Any], column: Any, **values: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING `column`: the new row's value, or None if it existed."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(column)).scalar()

"""Statements every repository needs."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


@functools.cache
def _ignoring(dialect: str, table: Table, returning: str | None) -> Any:
    """INSERT INTO `table` ... ON CONFLICT DO NOTHING (RETURNING `returning`), built once per dialect and table:
    the values come as parameters, so the hot paths skip the ORM's statement building."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).on_conflict_do_nothing()
    return statement.returning(table.c[returning]) if returning else statement


def insert_ignore(session: Session, model: type[Any], **values: Any) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True if the row is new (the caller won the race)."""
    statement = _ignoring(session.get_bind().dialect.name, model.__table__, None)
    # SQLAlchemy only promises a rowcount for UPDATE and DELETE unless asked to keep it.
    result = session.execute(statement, values, execution_options={"preserve_rowcount": True})
    return bool(rows_changed(result))


def insert_ignore_many(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING of every row in `rows`, as one executemany (nothing if there are none)."""
    if rows:
        session.execute(_ignoring(session.get_bind().dialect.name, model.__table__, None), rows)


def rows_changed(result: Any) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return int(result.rowcount)


def insert_ignore_returning(session: Session, model: type[Any], column: Any, **values: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING `column`: the new row's value, or None if it existed."""
    statement = _ignoring(session.get_bind().dialect.name, model.__table__, column.key)
    return session.execute(statement, values).scalar()


def put(session: Session, model: type[Any], key: dict[str, Any], **values: Any) -> None:
    """The row of `model` with primary key `key` holds `values` from now on (added if there is none)."""
    row = session.get(model, key)
    if row is None:
        session.add(model(**key, **values))
        return
    for name, value in values.items():
        setattr(row, name, value)

"""The migrated schema is exactly Dibs's models plus the tables slack_sdk's OAuth stores expect.

slack_sdk's `SQLAlchemyInstallationStore` and `SQLAlchemyOAuthStateStore` can create their tables
themselves (`create_tables()`, a `metadata.create_all`); Dibs never lets them: migration 0007 writes
the tables out, and these tests hold it to the installed slack_sdk's own definitions.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Column, Engine, MetaData, String

from store.db import make_engine, migrate
from store.models import Base


def expected_schema(engine: Engine) -> MetaData:
    """Dibs's models and the stores' tables, as the stores themselves define them."""
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    stores = (SQLAlchemyInstallationStore(client_id="c", engine=engine), SQLAlchemyOAuthStateStore(600, engine))
    for store in stores:
        for table in store.metadata.tables.values():
            table.to_metadata(metadata)
    return metadata


def differences(engine: Engine, metadata: MetaData) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_the_migrated_schema_is_the_models_and_the_stores_tables(database_url):
    engine = make_engine(database_url)
    try:
        migrate(engine)
        assert differences(engine, expected_schema(engine)) == []
    finally:
        engine.dispose()


def test_a_column_slack_sdk_would_add_shows_up_as_a_difference(database_url):
    """The comparison above can fail: a newer slack_sdk's extra column (or a changed type) is seen."""
    engine = make_engine(database_url)
    try:
        migrate(engine)
        metadata = expected_schema(engine)
        metadata.tables["slack_bots"].append_column(Column("bot_refresh_token_v2", String(200)))
        found = differences(engine, metadata)
        assert [d[0] for d in found if isinstance(d, tuple)] == ["add_column"]
        metadata = expected_schema(engine)
        metadata.tables["slack_oauth_states"].c.state.type = String(300)
        assert [d[0][0] for d in differences(engine, metadata)] == ["modify_type"]
    finally:
        engine.dispose()

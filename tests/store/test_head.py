"""`store.db.HEAD` names the newest migration, so start-up can skip Alembic when there is nothing to do."""

from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory

from store.db import HEAD, MIGRATIONS, at_head, make_engine, migrate


def test_head_is_alembics_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_a_new_database_is_not_at_head_until_migrated(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert not at_head(engine)
        migrate(engine)
        assert at_head(engine)
    finally:
        engine.dispose()

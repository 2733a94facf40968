"""`dibs purge TEAM_ID`: an uninstalled workspace's rows kept until then, all gone after, the other
workspace's untouched; refused while Dibs is still installed. Both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from bot.cli import main
from bot.installs.purge import store_tables, team_tables
from store.models import Base, Claim, Task
from tests.conftest import make_dibs, sender_for
from tests.support.installs import OAUTH, install, serving
from tests.support.payloads import message_event, reaction_event

GONE, STAYS = "T222", "T333"


@pytest.fixture
def bot(settings, fake):
    b = make_dibs(settings, bot_token=None, **OAUTH)
    with serving(b.wsgi()) as base:
        for team in (GONE, STAYS):
            install(base, fake, team)
    slack = sender_for(b)
    for team in (GONE, STAYS):
        slack.command("watch", user="UADMIN", team=team)
        post = message_event("We got a booth at the Springfield Expo")
        slack.event(post, team=team)
        slack.event(reaction_event("reaction_added", "U5", post["ts"]), team=team)
        slack.command("settings timezone Europe/Berlin", team=team)
        slack.command("route event <!subteam^S0EVENTS>", team=team)
        slack.command("feed add https://blog.example.com/comments/feed/", team=team)
    yield b
    b.shutdown()


@pytest.fixture
def cli_env(monkeypatch, settings):
    for name in ("SLACK_BOT_TOKEN", "DIBS_CONFIG", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)


def rows_of(bot, team: str) -> dict[str, int]:
    with bot.engine.connect() as connection:
        counts = {
            table.name: connection.scalar(select(func.count()).select_from(table).where(table.c.team_id == team))
            for table in [*team_tables(), *store_tables()]
        }
        mine = select(Task.id).where(Task.team_id == team)
        counts["claims"] = connection.scalar(select(func.count()).select_from(Claim).where(Claim.task_id.in_(mine)))
    return {name: count for name, count in counts.items() if count}


def test_every_table_is_reached_by_a_purge():
    """A new table either has a team_id or goes with its task (ON DELETE CASCADE): none is forgotten."""
    for table in Base.metadata.sorted_tables:
        cascades = [fk for fk in table.foreign_keys if fk.column.table.name == "tasks" and fk.ondelete == "CASCADE"]
        assert "team_id" in table.c or cascades, f"{table.name}: dibs purge would leave its rows"


def test_a_workspace_still_installed_is_not_purged(bot, cli_env, capsys):
    assert main(["purge", GONE]) == 2
    assert "Dibs is still installed in T222: uninstall it there first" in capsys.readouterr().err
    assert rows_of(bot, GONE)["tasks"] == 1


def test_an_uninstalled_workspace_is_kept_until_purged_then_all_its_rows_go(bot, cli_env, capsys):
    sender_for(bot).event({"type": "app_uninstalled"}, team=GONE)
    kept = rows_of(bot, GONE)
    assert {"tasks", "claims", "task_events", "watched_channels", "workspace_settings", "routes", "feeds"} <= set(kept)
    assert "slack_bots" not in kept  # the uninstall deleted its tokens already
    before = rows_of(bot, STAYS)
    assert main(["purge", GONE]) == 0
    said = capsys.readouterr().out
    assert said.startswith("dibs: removed every row of T222 (") and f"{kept['tasks']} tasks" in said
    assert rows_of(bot, GONE) == {}
    assert rows_of(bot, STAYS) == before
    with bot.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM slack_bots WHERE team_id = 'T333'")) == 1
    assert main(["purge", GONE]) == 0
    assert "there was nothing of T222 to remove" in capsys.readouterr().out


def test_a_purge_wants_a_workspace_id(cli_env, capsys):
    assert main(["purge", "acme"]) == 2
    assert "'acme' is not a workspace id; write it like T0123ABCD" in capsys.readouterr().err

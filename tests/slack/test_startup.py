"""What an admin meets first: `dibs --help`, `--version`, `dibs doctor`, one-line errors, auth.test asked once."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.settings import Settings
from bot.slack.scopes import BOT_SCOPES
from tests.conftest import SECRET, make_dibs, sender_for
from tests.support.fakeslack import FakeSlack
from tests.support.helpers import open_task


def test_auth_test_is_asked_once_for_bolt_the_team_id_links_and_recovery(settings, fake):
    bot = make_dibs(settings)
    try:
        slack = sender_for(bot)
        open_task(slack, fake)  # the thread reply carries a link to the post: the workspace's address
        bot.team_id()
        bot.recover()  # ignores the bot's own reactions: its user id
        assert len(fake.calls("auth.test")) == 1
    finally:
        bot.shutdown()


def test_an_answer_given_at_start_up_is_not_asked_again(settings, fake):
    from bot.app import create_app
    from bot.checks import check_slack

    identity = check_slack(settings)
    bot = create_app(settings, identity=identity)
    try:
        assert bot.team_id() == "T111"
        assert len(fake.calls("auth.test")) == 1  # the check's own
    finally:
        bot.shutdown()


@pytest.fixture
def env(monkeypatch, fake: FakeSlack, tmp_path):
    for name in ("SLACK_APP_TOKEN", "DIBS_CONFIG", "DIBS_INTAKE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.base_url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dibs.db'}")
    return monkeypatch


def test_help_names_the_environment_and_the_readme_and_there_is_a_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    shown = capsys.readouterr().out
    assert done.value.code == 0
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
                 "DIBS_CONFIG", "README.md", "dibs demo", "doctor"):  # fmt: skip
        assert name in shown
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("dibs ")
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "Run the bot" in capsys.readouterr().out


def test_an_unknown_log_level_is_one_sentence(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--log-level", "verbose", "migrate"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "'verbose' is not a log level" in err and "Traceback" not in err


def test_migrate_on_a_database_that_does_not_exist_is_one_line(env, capsys, postgres_url):
    env.setenv("DATABASE_URL", postgres_url.rsplit("/", 1)[0] + "/dibs_no_such_database")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "dibs_no_such_database" in err and "does not exist" in err


def test_doctor_passes_on_a_good_setup(env, fake, capsys):
    fake.scopes = sorted(BOT_SCOPES)
    assert main(["migrate"]) == 0
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line[:4] for line in lines] == ["ok  ", "ok  ", "ok  ", "--  "], lines
    assert "latest migration" in lines[0] and "workspace Test" in lines[1]
    assert f"all {len(BOT_SCOPES)} scopes" in lines[2]


def test_doctor_names_missing_scopes_channels_it_is_not_in_and_an_old_database(env, fake, capsys, tmp_path):
    fake.scopes = sorted(set(BOT_SCOPES) - {"files:read", "reactions:read"})
    assert main(["migrate"]) == 0
    bot = make_dibs(Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.base_url,
                             database_url=f"sqlite:///{tmp_path / 'dibs.db'}"))  # fmt: skip
    slack = sender_for(bot)
    slack.command("watch", channel="C111")  # Dibs joins it
    slack.command("watch", channel="G222")  # a private channel nobody invited it to
    bot.shutdown()
    capsys.readouterr()
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL scopes: the token lacks files:read, reactions:read" in out
    assert "FAIL channels: Dibs watches 2 but cannot read 1: #g222 (G222): not a member" in out


def test_doctor_on_a_new_database_and_an_unreachable_slack_creates_nothing(env, capsys, tmp_path):
    env.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("FAIL database: there is no sqlite:///") and "dibs migrate" in out[0]
    assert out[1] == "FAIL slack: cannot reach Slack at http://127.0.0.1:9/api/ (Connection refused)."
    assert not (tmp_path / "dibs.db").exists()


def test_doctor_says_when_slack_rejects_the_token(env, fake, capsys):
    fake.set_response("auth.test", {"ok": False, "error": "invalid_auth"})
    assert main(["doctor"]) == 1
    assert "FAIL slack: Slack at http" in capsys.readouterr().out

"""The promises around the code: README commands, the settings reference, /healthz."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from sqlalchemy import create_engine

from bot.app import Dibs
from bot.settings import settings_from_yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def code_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```(?:sh|yaml)?\n(.*?)```", text, re.S)]


def test_readme_opens_with_the_demo_and_test_commands_and_ci_runs_the_second():
    assert README.index("```sh") < README.index("\n## ")  # the commands come before anything else
    demo, test = code_blocks(README)[:2]
    assert demo == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/dibs demo --seed"
    assert "pytest" in test
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()
    assert (ROOT / "docs" / "demo.png").read_bytes().startswith(b"\x89PNG")
    assert "](docs/demo.png)" in README


def test_the_settings_reference_parses_and_names_every_variable():
    import yaml

    example = next(block for block in code_blocks(README) if block.startswith("timezone:"))
    from bot.settings import Settings

    parsed = settings_from_yaml(yaml.safe_load(example), Settings())
    assert parsed.kinds["event"].slots == 2 and parsed.kinds["event"].owner_group == "S0123ABCD"
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "DIBS_CONFIG",
    ):
        assert f"`{name}`" in README


def call_wsgi(app, path: str) -> tuple[str, bytes]:
    seen: dict[str, str] = {}

    def start_response(status: str, headers: list) -> None:
        seen["status"] = status

    body = b"".join(
        app(
            {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1"},
            start_response,
        )
    )
    return seen["status"], body


def test_healthz_is_200_while_the_database_answers_and_503_when_it_does_not(dibs):
    assert call_wsgi(dibs.wsgi(), "/healthz")[0].startswith("200")
    gone = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    broken: Dibs = replace(dibs, engine=gone)
    status, body = call_wsgi(broken.wsgi(), "/healthz")
    assert status.startswith("503") and b"database" in body
    gone.dispose()


def test_the_package_ships_every_module():
    """`pip install .` (the README's first command) must carry every package, not only the top ones."""
    import tomllib

    from setuptools import find_packages

    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    shipped = set(find_packages(str(ROOT), include=found["include"]))
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for top in ("bot", "handlers", "store")
        for path in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk <= shipped and "bot.tasks" in shipped

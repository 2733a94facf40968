"""What `pip install .` puts in the wheel: every package of the source tree, and the files they read."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def source_packages() -> set[str]:
    return {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "handlers", "store")
        for init in (ROOT / top).rglob("__init__.py")
    }


def test_the_wheel_holds_every_package_of_the_source_tree():
    """A package missing here installs fine and fails at the first import (`pip install .`, not `-e`)."""
    found = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    assert set(find_packages(str(ROOT), include=found["include"])) == source_packages()


def test_the_files_packages_read_are_package_data():
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert "*.mako" in data["store.migrations"]
    assert "static/*" in data["bot.demo"]  # the demo's page: HTML, CSS and JavaScript

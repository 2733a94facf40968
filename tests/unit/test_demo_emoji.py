"""The demo page draws every emoji Dibs writes (Slack shows `:information_source:` in mrkdwn as ℹ️; the page must
too, not the raw shortcode)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCKS_JS = ROOT / "bot" / "demo" / "static" / "blocks.js"
NOT_EMOJI = {"memory", "write"}  # sqlite:///:memory:, files:write: a scope


def shortcodes_dibs_writes() -> set[str]:
    found: set[str] = set()
    for source in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]:
        found |= set(re.findall(r":([a-z][a-z0-9_+\-]*):", source.read_text(encoding="utf-8")))
    return found - NOT_EMOJI


def page_emoji() -> set[str]:
    table = BLOCKS_JS.read_text(encoding="utf-8").split("const EMOJI = {", 1)[1].split("};", 1)[0]
    return set(re.findall(r'(?:^|[\s,])"?([a-z0-9_+\-]+)"?:\s*"', table))


def test_the_demo_page_draws_every_emoji_dibs_writes():
    missing = shortcodes_dibs_writes() - page_emoji()
    assert "information_source" in page_emoji()
    assert not missing, f"add these to EMOJI in bot/demo/static/blocks.js: {sorted(missing)}"

"""`/dibs help` fits in a glance, `/dibs help all` has everything, and a mistake gets one sentence, never the help."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from bot.slack.command_parser import SUBCOMMANDS, parse_command
from bot.slack.commands import UsageError
from bot.slack.help import build_help


def test_help_is_at_most_eight_lines_with_the_commands_used_most():
    text = build_help(Settings())
    assert len(text.splitlines()) <= 8
    for command in ("/dibs claim ID", "/dibs list", "/dibs done ID", "/dibs release ID", "/dibs new KIND TITLE"):
        assert command in text
    assert text.splitlines()[-1] == "`/dibs help all` lists every command."


def test_help_all_lists_every_subcommand():
    text = build_help(Settings(), everything=True)
    for name in SUBCOMMANDS:
        assert f"`/dibs {name}" in text or f"/dibs {name}`" in text, name
    assert "`next Friday`" in text and "date_order" in text


@pytest.mark.parametrize(
    "text",
    [
        "clam 12", "frobnicate", "claim", "claim abc", "claim 12 13", "list mine all", "new event", "digest now",
        "stats 1y", "export forever", "feed add", "route event", "settings timezone", "settings nope x",
        "gift 4 lost Ann", "assign 12 bob", "swap 12 ann", "roles 12 staff", "release 12 now", "done 12 a b",
        "snooze 12 soon", "due 12 soon", "due 12", "when 12 soon", "when 12 Jan 20 5pm-9am",
    ],
)  # fmt: skip
def test_a_mistake_is_one_sentence_with_the_form_that_works_and_never_the_help(text):
    with pytest.raises(UsageError) as error:
        parse_command(text)
    message = str(error.value)
    assert "\n" not in message
    assert "*Dibs*" not in message and "help all" not in message
    assert "`/dibs " in message or "those are" in message  # the form that works (or the keys there are)
    sentences = [s for s in message.replace("?", ".").split(". ") if s.strip()]
    assert len(sentences) <= (2 if message.startswith("I don't know") else 1), message

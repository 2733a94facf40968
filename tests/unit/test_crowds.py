"""A crowd still fits: a task 500 people claimed is drawn within Block Kit's limits, naming a few of them."""

from __future__ import annotations

import json

import pytest

from bot.editor.thread_view import build_ownership_message
from bot.editor.words import task_line
from bot.settings import DEFAULT_KINDS, Settings
from bot.slack.text import people
from store.enums import TaskStatus
from tests.unit.test_digest_view import NOW, task

CROWD = tuple(f"U{5000 + n}" for n in range(500))
TODAY = NOW.date()


def sections(message) -> list[str]:
    blocks = message.as_kwargs()["blocks"]  # Block Kit's models refuse a section over 3,000 characters here
    return [json.dumps(block) for block in blocks]


@pytest.mark.parametrize(
    "crowd",
    [
        task(1, slots=2, owners=CROWD[:2], waitlist=CROWD[2:]),
        task(2, slots=300, owners=CROWD[:300], waitlist=CROWD[300:]),
        task(3, slots=300, owners=CROWD[:300], status=TaskStatus.DONE, done_by="U5000"),
    ],
    ids=["two seats, 498 waiting", "300 seats, 200 waiting", "done by 300"],
)
def test_the_thread_names_ten_of_a_crowd_and_counts_the_rest(crowd):
    shown = " ".join(sections(build_ownership_message(crowd, DEFAULT_KINDS["event"], Settings(), TODAY)))
    assert shown.count("<@U") <= 2 * 10 + 1  # owners, waitlist, who marked it done
    assert "more" in shown


def test_a_list_line_of_a_crowd_stays_short():
    line = task_line(task(1, slots=2, owners=CROWD[:2], waitlist=CROWD[2:]), NOW, TODAY)
    assert len(line) < 600 and "and 488 more" in line


def test_people_names_up_to_ten_then_counts():
    assert people(["U1", "U2"]) == "<@U1>, <@U2>"
    assert people(CROWD[:12]).endswith("<@U5009> and 2 more")
    assert people(CROWD, most=3) == "<@U5000>, <@U5001>, <@U5002> and 497 more"

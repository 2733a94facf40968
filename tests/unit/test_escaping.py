"""One escaping rule for everything a person typed, tested once for every view: nothing a title or a
proof holds can become a broadcast, a mention, a channel link or a labelled link in Dibs's voice."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.editor.home_data import HomeData, TeamSummary
from bot.editor.home_view import build_home
from bot.editor.insight_view import build_stats, weekly_lines
from bot.editor.list_view import build_digest, done_line, overdue_line, taken_line, unclaimed_line
from bot.editor.lists import reminder_note
from bot.editor.task_views import build_announcement, build_done_link_modal, build_task_list
from bot.editor.texts import poster_dm_text
from bot.editor.thread_view import build_ownership_message
from bot.editor.words import linked_title, task_line
from bot.insight.stats import FellThrough, Spread, Stats
from bot.settings import DEFAULT_KINDS, Settings
from bot.slack.text import escape, is_web_link, proof, unescape
from store.enums import TaskStatus
from tests.unit.test_digest_view import NOW, digest, task

HOSTILE = "<!channel> <!here> <!everyone> <@U666> <#C666|general> <!subteam^S666> <https://evil.example|Click> & co"
FORBIDDEN = ("<!channel", "<!here", "<!everyone", "<@U666", "<#C666", "<!subteam^S666", "<https://evil")
TODAY = NOW.date()


def hostile(**fields: object):
    return task(7, title=HOSTILE, done_link=HOSTILE, owners=("U2",), **fields)


def numbers(t) -> Stats:
    fell = FellThrough(t.id, t.channel_id, HOSTILE, t.title, t.permalink, "unclaimed", TODAY)
    return Stats("C1", NOW - timedelta(days=7), NOW, 1, 0, 0, Spread(0, None, None), [], 0, [], [], [fell])


def rendered(value: object) -> str:
    if hasattr(value, "to_dict"):
        value = value.to_dict()  # type: ignore[union-attr]
    elif hasattr(value, "as_kwargs"):
        value = value.as_kwargs()  # type: ignore[union-attr]
    return value if isinstance(value, str) else json.dumps(value, default=str)


VIEWS = {
    "linked title": lambda t: linked_title(t),
    "list line": lambda t: task_line(t, NOW, TODAY),
    "list": lambda t: build_task_list("all", [t], 1, NOW, TODAY),
    "home": lambda t: build_home(
        HomeData("U2", TODAY, [t], 1, [t], 1, [t], 1, TeamSummary(1, 0, None), True, notice=escape(HOSTILE))
    ),
    "stats": lambda t: build_stats(numbers(t), 30),
    "weekly numbers": lambda t: weekly_lines(numbers(t), numbers(t)),
    "proof modal": lambda t: build_done_link_modal(t, "C1"),
    "announcement": lambda t: build_announcement(t.title, "event", "U1"),
    "thread, open": lambda t: build_ownership_message(t, DEFAULT_KINDS["event"], Settings(), TODAY),
    "thread, done": lambda t: build_ownership_message(
        replace(t, status=TaskStatus.DONE, done_by="U2"), DEFAULT_KINDS["event"], Settings(), TODAY
    ),
    "digest lines": lambda t: [unclaimed_line(t, NOW, TODAY), overdue_line(t), taken_line(t, NOW, TODAY), done_line(t)],
    "digest": lambda t: build_digest(digest(unclaimed=[t], done=[replace(t, status=TaskStatus.DONE)]), NOW),
    "list with a reminder": lambda t: build_digest(digest(unclaimed=[t]), NOW, note=reminder_note([t])),
    "poster's reminder": lambda t: poster_dm_text(t.id, linked_title(t), "C1", t.created_at - timedelta(days=3), NOW),
}


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("permalink", [None, "https://example.slack.com/archives/C1/p7"])
def test_no_view_lets_typed_text_ping_or_pose_as_a_link(view, permalink):
    shown = rendered(view(hostile(permalink=permalink)))
    assert not [f for f in FORBIDDEN if f in shown], shown
    assert "Click" in shown or "&lt;" in shown  # what was typed is still there to read


def test_escape_and_unescape_are_slacks_three_characters():
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert unescape(escape(HOSTILE)) == HOSTILE


def test_only_web_addresses_are_shown_as_links():
    assert proof("https://track.example/1Z9?a=1&b=2") == "<https://track.example/1Z9?a=1&amp;b=2>"
    assert proof("1Z999AA10123456784") == "1Z999AA10123456784"
    for not_a_link in ("javascript:alert(1)", "https://x.example|Click", "ftp://x.example", "https://a b"):
        assert not is_web_link(not_a_link)
        assert "<" not in proof(not_a_link)

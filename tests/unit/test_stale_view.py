"""What "still on it?" says and how its DM is built: pure, without Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.editor.stale_view import build_stale_nudge, days_ago, held_nudge_text, quiet_for
from tests.unit.test_digest_view import task

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_ages_read_as_days() -> None:
    assert [days_ago(NOW - d, NOW) for d in (timedelta(days=3, hours=5), timedelta(days=1), timedelta(hours=5))] == [
        "3 days ago",
        "a day ago",
        "5h ago",
    ]
    assert days_ago(NOW, NOW) == "just now"
    assert [quiet_for(NOW - timedelta(days=d), NOW) for d in (1, 4)] == ["quiet for 1 day", "quiet for 4 days"]


def test_the_dm_has_the_question_and_done_release_snooze() -> None:
    shown = task(12, status="claimed", owners=("U2",), title="<!here> Booth & co", permalink=None)
    message = build_stale_nudge(shown, NOW - timedelta(days=3), NOW)
    blocks = [b.to_dict() for b in message.blocks]  # slack_sdk validates them
    assert message.text == "You took *#12* &lt;!here&gt; Booth &amp; co in <#C1> 3 days ago: still on it?"
    assert blocks[0]["text"]["text"] == message.text
    assert [(e["text"]["text"], e["action_id"], e["value"]) for e in blocks[1]["elements"]] == [
        ("Done", "dibs_done", "12"),
        ("Release", "dibs_release", "12"),
        ("Snooze", "dibs_stale_snooze", "12"),
    ]
    assert held_nudge_text(shown, "U2", NOW - timedelta(days=6), NOW) == (
        "<@U2> took *#12* &lt;!here&gt; Booth &amp; co 6 days ago: still on it?"
    )

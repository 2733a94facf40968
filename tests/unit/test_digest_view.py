"""A channel's standing list of open follow-ups (and its morning edition): content, order, claim buttons,
quiet days and Slack's limits at any size."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.models.blocks import HeaderBlock, SectionBlock

from bot.digest.collect import DigestData, QuietClaim
from bot.editor.list_view import build_digest
from bot.slack.blocks import Message, share_blocks
from bot.slack.text import format_duration
from bot.tasks.model import TaskSnapshot

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 27)  # a Friday


def task(task_id: int, **fields: object) -> TaskSnapshot:
    """A task with sensible defaults; `fields` override any of them."""
    base = TaskSnapshot(
        id=task_id,
        team_id="T1",
        channel_id="C1",
        kind="event",
        title=f"Task number {task_id}",
        status="open",
        slots=1,
        posted_by="UPOSTER",
        source="message",
        message_ts="1700000000.000100",
        reply_ts=None,
        permalink=f"https://example.slack.com/archives/C1/p{task_id}",
        done_link=None,
        created_at=NOW - timedelta(hours=task_id),
        claimed_at=None,
        done_at=None,
        owners=(),
        waitlist=(),
        version=1,
        done_by=None,
    )
    return replace(base, **fields)


def digest(**fields: object) -> DigestData:
    """An empty digest for DAY; `fields` fill in lists, totals default to the list lengths."""
    values: dict[str, object] = {
        "channel_id": "C1",
        "day": DAY,
        "unclaimed": [],
        "taken": [],
        "overdue": [],
        "done": [],
        "median_time_to_claim": None,
        "folded": [],
    }
    values.update(fields)
    for name in ("unclaimed", "taken", "overdue", "done"):
        values.setdefault(f"{name}_total", len(values[name]))  # type: ignore[arg-type]
    return DigestData(**values)  # type: ignore[arg-type]


def texts(message: Message) -> list[str]:
    """The text of every block, in order (validated by slack_sdk on the way)."""
    out = []
    for block in message.blocks:
        as_dict = block.to_dict()
        out.append(as_dict["text"]["text"])
    return out


def full(message: Message) -> str:
    return "\n".join(texts(message))


def busy() -> DigestData:
    return digest(
        unclaimed=[
            task(1, title="Booth at Springfield Expo", created_at=NOW - timedelta(days=3)),
            task(2, kind="press", title="Reply to the Gazette", created_at=NOW - timedelta(hours=5)),
        ],
        overdue=[
            task(3, status="claimed", owners=("UANN",), due_on=date(2026, 11, 20), title="Ship the banners"),
        ],
        taken=[
            task(4, status="claimed", owners=("UBOB", "UCAT"), title="Print flyers"),
        ],
        done=[
            task(5, status="done", owners=("UDAN",), done_by="UDAN", done_link="https://track.example/42"),
            task(6, status="done", owners=("UEVE",), done_by="UEVE", title="No proof needed"),
        ],
        median_time_to_claim=timedelta(hours=3, minutes=20),
        folded=["• #7 is still unclaimed after 2d.", "• #8 is due tomorrow."],
    )


def test_header_names_the_day_of_the_morning_edition() -> None:
    for edition, title in ((DAY, "Open follow-ups · Friday 27 November"), (None, "Open follow-ups")):
        message = build_digest(busy(), NOW, edition=edition)
        assert message is not None
        header = message.blocks[0]
        assert isinstance(header, HeaderBlock)
        assert header.to_dict()["text"]["text"] == title


def test_sections_come_in_order() -> None:
    message = build_digest(busy(), NOW, note="<!here> :bell: Still waiting for someone: #1.")
    assert message is not None
    body = texts(message)[1:]
    headings = [
        "<!here> :bell: Still waiting for someone: #1.",
        "*Unclaimed (2)*",
        "• *#1* :calendar: Event · <https://example.slack.com/archives/C1/p1|Booth at Springfield Expo> · waiting 3d",
        "• *#2* Press · <https://example.slack.com/archives/C1/p2|Reply to the Gazette> · waiting 5h",
        "*Overdue (1)*",
        "*Taken (1)*",
        "*Done since the last list (2)*",
        "Median time to claim this week: 3h 20m",
        "*Held back to keep the noise down*",
    ]
    assert [t.splitlines()[0] for t in body] == headings
    assert all(isinstance(b, SectionBlock) for b in message.blocks[1:])
    assert message.text.startswith("<!here> :bell: Still waiting for someone: #1.\n")  # the notification says it


def test_each_of_the_oldest_unclaimed_has_its_own_claim_button() -> None:
    message = build_digest(busy(), NOW)
    assert message is not None
    buttons = [b.to_dict().get("accessory") for b in message.blocks[2:4]]
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons if b] == [
        ("dibs_claim", "1", "I'll take it"),
        ("dibs_claim", "2", "I'll take it"),
    ]


def test_overdue_shows_owners_and_due_date() -> None:
    message = build_digest(busy(), NOW)
    assert message is not None
    line = texts(message)[4].splitlines()[1]
    assert line.startswith("• :warning: *#3* :calendar: Event · ")
    assert "Ship the banners" in line
    assert "<@UANN>" in line
    assert line.endswith("overdue since 2026-11-20")


def test_taken_mentions_owners() -> None:
    message = build_digest(busy(), NOW)
    assert message is not None
    line = texts(message)[5].splitlines()[1]
    assert line.startswith("• *#4* :calendar: Event · ")
    assert "Print flyers" in line
    assert "<@UBOB>, <@UCAT>" in line


def test_done_shows_who_and_proof() -> None:
    message = build_digest(busy(), NOW)
    assert message is not None
    lines = texts(message)[6].splitlines()
    assert lines[1].startswith("• *#5* ")
    assert lines[1].endswith("done by <@UDAN> · proof: <https://track.example/42>")  # a web link is a link
    assert lines[2].endswith("done by <@UEVE>")
    assert "proof:" not in lines[2]


def test_done_without_done_by_shows_the_proof_escaped() -> None:
    # Proof is stored as typed and escaped where it is shown: text that is not a web link stays text.
    stored = "<!channel> see https://x.example/?a=1&b=2"
    data = digest(done=[task(9, status="done", done_link=stored)])
    message = build_digest(data, NOW)
    assert message is not None
    line = texts(message)[1].splitlines()[1]
    assert line.endswith("· done · proof: &lt;!channel&gt; see https://x.example/?a=1&amp;b=2")
    assert "<!channel>" not in full(message)


def test_folded_lines_are_shown_as_given() -> None:
    message = build_digest(busy(), NOW)
    assert message is not None
    assert texts(message)[-1].splitlines()[1:] == ["• #7 is still unclaimed after 2d.", "• #8 is due tomorrow."]


def test_empty_sections_are_left_out() -> None:
    data = digest(taken=[task(4, status="claimed", owners=("UBOB",))])
    message = build_digest(data, NOW)
    assert message is not None
    assert [t.splitlines()[0] for t in texts(message)] == [
        "Open follow-ups",
        "*Taken (1)*",
        "Median time to claim this week: no claims this week",
    ]
    assert "Unclaimed" not in full(message)
    assert "Held back" not in full(message)


def test_only_folded_lines_is_not_a_quiet_day() -> None:
    message = build_digest(digest(folded=["• #7 is due today."]), NOW, "skip")
    assert message is not None
    assert texts(message)[-1] == "*Held back to keep the noise down*\n• #7 is due today."


def test_quiet_day_is_one_line() -> None:
    message = build_digest(digest(), NOW, edition=DAY)
    assert message is not None
    line = "Nothing open, nothing taken, nothing done since the last list. :sunny:"
    assert texts(message) == ["Open follow-ups · Friday 27 November", line]
    assert message.text == f"Open follow-ups: {line}"


def test_quiet_day_can_be_skipped() -> None:
    assert build_digest(digest(), NOW, "skip") is None


def test_unknown_quiet_day_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="when_empty"):
        build_digest(digest(), NOW, "loud")


def test_fallback_text_counts_totals() -> None:
    message = build_digest(busy(), NOW)
    assert message is not None
    assert message.text == "Open follow-ups: 2 unclaimed, 1 overdue, 1 taken, 2 done, 2 held back"
    data = replace(busy(), folded=[], unclaimed_total=3)
    message = build_digest(data, NOW)
    assert message is not None
    assert message.text == "Open follow-ups: 3 unclaimed, 1 overdue, 1 taken, 2 done"


def test_caller_truncated_list_says_how_many_more() -> None:
    data = digest(unclaimed=[task(1), task(2)], unclaimed_total=40)
    message = build_digest(data, NOW)
    assert message is not None
    assert texts(message)[1] == "*Unclaimed (40)*"
    lines = texts(message)[4].splitlines()  # after the two with their buttons
    assert lines == ["*More unclaimed (38)*", "…and 38 more: `/dibs list unclaimed`"]


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(seconds=20), "<1m"),
        (timedelta(minutes=45), "45m"),
        (timedelta(hours=3), "3h"),
        (timedelta(hours=3, minutes=20, seconds=29), "3h 20m"),  # the smaller unit rounded to the nearest
        (timedelta(hours=3, minutes=20, seconds=30), "3h 21m"),
        (timedelta(days=2, hours=4, minutes=29), "2d 4h"),
        (timedelta(days=2, hours=4, minutes=30), "2d 5h"),
        (timedelta(days=5), "5d"),
    ],
)
def test_durations_are_compact(duration: timedelta, text: str) -> None:
    assert format_duration(duration) == text


def test_median_line() -> None:
    data = replace(busy(), median_time_to_claim=timedelta(days=2, hours=4))
    message = build_digest(data, NOW)
    assert message is not None
    assert "Median time to claim this week: 2d 4h" in texts(message)


def test_blocks_are_shared_fairly() -> None:
    assert share_blocks([1, 30, 30, 2], 48) == [1, 22, 23, 2]
    assert share_blocks([3, 4], 48) == [3, 4]
    assert sum(share_blocks([300, 300, 300, 300, 300], 48)) == 48


N = 2000


def many(status: str, **fields: object) -> list[TaskSnapshot]:
    """N tasks, oldest first, with 300-character titles full of characters links must not keep."""
    title = ("Long <title> | with & marks " * 20)[:300]
    return [
        task(i, status=status, title=title, created_at=NOW - timedelta(minutes=N - i + 1), **fields)
        for i in range(1, N + 1)
    ]


def check_limits(message: Message) -> None:
    blocks = [b.to_dict() for b in message.blocks]  # slack_sdk validates some limits here
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    for block in blocks[1:]:
        assert block["type"] == "section"
        assert 0 < len(block["text"]["text"]) <= 3000
    assert 0 < len(message.text) < 4000


def claimable(message: Message) -> list[str]:
    """The unclaimed follow-ups shown with their own I'll take it button."""
    return [b.to_dict()["text"]["text"] for b in message.blocks if b.to_dict().get("accessory")]


def more_line(message: Message, heading: str) -> tuple[int, str]:
    """How many task lines a list shows, and its closing "more" line."""
    lines: list[str] = []
    inside = False
    for text in texts(message):
        for line in text.splitlines():
            if line.startswith(f"*{heading} ("):
                inside = True
            elif inside and line.startswith(("• ", "…")):
                lines.append(line)
            else:
                inside = False
    return len([line for line in lines if line.startswith("• ")]), lines[-1]


def test_two_thousand_unclaimed_fit() -> None:
    data = digest(unclaimed=many("open"))
    message = build_digest(data, NOW)
    assert message is not None
    check_limits(message)
    shown, last = more_line(message, "More unclaimed")
    assert len(claimable(message)) == 12 and 0 < shown < N - 12
    assert last == f"…and {N - 12 - shown:,} more: `/dibs list unclaimed`"
    assert claimable(message)[0].startswith("• *#1* :calendar: Event · ")  # the oldest comes first
    assert len(message.blocks) > 40  # one big list may use most of the message


def test_two_thousand_in_every_list_fit() -> None:
    data = digest(
        unclaimed=many("open"),
        overdue=many("claimed", owners=("UANN",), due_on=date(2026, 11, 1)),
        taken=many("claimed", owners=("UBOB", "UCAT")),
        done=many("done", done_by="UDAN", done_link="https://track.example/" + "x" * 400),
        median_time_to_claim=timedelta(minutes=45),
        folded=[f"• #{i} is still unclaimed after 2d. " + "z" * 250 for i in range(N)],
    )
    message = build_digest(data, NOW)
    assert message is not None
    check_limits(message)
    assert message.text == "Open follow-ups: 2,000 unclaimed, 2,000 overdue, 2,000 taken, 2,000 done, 2,000 held back"
    body = full(message)
    assert "• *#1* :calendar: Event · " in body  # the oldest unclaimed task
    for heading, hint, total in [
        ("More unclaimed", ": `/dibs list unclaimed`", N - 12),
        ("Overdue", ": `/dibs list`", N),
        ("Taken", ": `/dibs list`", N),
        ("Done since the last list", ": `/dibs list all`", N),
    ]:
        assert f"*{heading} ({total:,})*" in body
        shown, last = more_line(message, heading)
        assert shown > 0, heading
        assert last == f"…and {total - shown:,} more{hint}"
    folded = body.split("*Held back to keep the noise down*")[1].splitlines()
    shown_folded = len([line for line in folded if line.startswith("• ")])
    assert shown_folded > 0
    assert folded[-1] == f"…and {N - shown_folded:,} more held back."
    assert "Median time to claim this week: 45m" in body
    assert not re.search(r"\|[^>]*\|", body)  # no title broke out of its link


def test_caller_truncated_big_lists_count_from_the_total() -> None:
    data = digest(unclaimed=many("open")[:100], unclaimed_total=N, taken=many("claimed")[:100], taken_total=N)
    message = build_digest(data, NOW)
    assert message is not None
    check_limits(message)
    shown, last = more_line(message, "More unclaimed")
    assert last == f"…and {N - 12 - shown:,} more: `/dibs list unclaimed`"


def quiet(count: int, **fields: object) -> list[QuietClaim]:
    """`count` claims quiet for 3 days and more, quietest first."""
    return [
        QuietClaim(task(i, status="claimed", owners=("UBOB",), **fields), NOW - timedelta(days=3 + count - i))
        for i in range(1, count + 1)
    ]


def test_quiet_claims_come_after_taken_with_how_long_they_were_quiet() -> None:
    data = digest(
        taken=[task(4, status="claimed", owners=("UBOB",))], quiet=quiet(2, title="Ans <wer> & co"), quiet_total=2
    )
    message = build_digest(data, NOW)
    assert message is not None
    body = texts(message)[1:]
    assert [t.splitlines()[0] for t in body][:2] == ["*Taken (1)*", "*Claimed, quiet for a while (2)*"]
    assert body[1].splitlines()[1:] == [
        "• *#1* :calendar: Event · <https://example.slack.com/archives/C1/p1|Ans &lt;wer&gt; &amp; co> · <@UBOB> · "
        "claimed, quiet for 4 days",
        "• *#2* :calendar: Event · <https://example.slack.com/archives/C1/p2|Ans &lt;wer&gt; &amp; co> · <@UBOB> · "
        "claimed, quiet for 3 days",
    ]
    assert message.text == "Open follow-ups: 0 unclaimed, 0 overdue, 1 taken, 0 done, 2 quiet"


def test_two_thousand_quiet_claims_fit_with_every_other_list() -> None:
    data = digest(
        unclaimed=many("open"),
        taken=many("claimed", owners=("UBOB", "UCAT")),
        quiet=[QuietClaim(t, NOW - timedelta(days=9)) for t in many("claimed", owners=("UBOB",))],
        quiet_total=N,
        folded=[f"• #{i} is still unclaimed after 2d. " + "z" * 250 for i in range(N)],
    )
    message = build_digest(data, NOW)
    assert message is not None
    check_limits(message)
    shown, last = more_line(message, "Claimed, quiet for a while")
    assert 0 < shown < N and last == f"…and {N - shown:,} more: `/dibs list`"

"""The memo keeps what hot paths read for a moment: a value is read once per `ttl`, forgotten on a change."""

from __future__ import annotations

from freezegun import freeze_time

from bot.memo import Memo


def test_a_value_is_read_once_per_ttl_and_again_once_forgotten_or_old():
    reads: list[str] = []

    def load() -> str:
        reads.append("read")
        return f"value {len(reads)}"

    with freeze_time("2026-12-07 09:00:00") as frozen:
        memo = Memo(ttl=2.0)
        assert [memo.get("k", load), memo.get("k", load)] == ["value 1", "value 1"]
        memo.forget("k")  # this process changed it
        assert memo.get("k", load) == "value 2"
        frozen.tick(2.5)  # another process's change is seen within ttl
        assert memo.get("k", load) == "value 3"
    assert len(reads) == 3


def test_what_keep_refuses_is_read_every_time():
    memo, reads = Memo(), []
    for _ in range(3):
        memo.get("channel", lambda: reads.append(1) or None, keep=lambda value: value is not None)
    assert len(reads) == 3

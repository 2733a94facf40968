"""Who is away, end to end: `dibs serve --http` over real HTTP against the fake Slack. The nominee skips a person
out of office (read with users.info) and one whose status came in a `user_change` event (no call), and says why;
a freed seat passes over both to the next in line, and one of them hears of it when their status clears."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.models import utcnow
from tests.conftest import SECRET
from tests.support.helpers import blocks_text, open_task
from tests.support.payloads import Sender
from tests.support.server import HttpBot, bot_env

pytestmark = pytest.mark.e2e

CONFIG = """
working_hours: always
nag: {first_after: 1s, every: 1s, escalate_after: 2s}
digest: {days: none}
kinds:
  event:
    slots: 1
    owner_group: S0BOOTH
    rotation: fair
"""


def user_change(user: str, emoji: str = "", text: str = "") -> dict:
    return {"type": "user_change", "event_ts": "1.2", "user": {"id": user, "team_id": "T111", "tz": "Europe/Paris",
            "profile": {"status_emoji": emoji, "status_text": text, "status_expiration": 0}}}  # fmt: skip


def test_the_nominee_skips_who_is_away_and_says_why_over_real_http(fake, pg_url, tmp_path):
    fake.set_group("S0BOOTH", ["U2", "U3", "U4", "U5"])
    fake.set_status("U2", ":palm_tree:", "Back soon", expires=utcnow() + timedelta(days=3))
    config = tmp_path / "dibs.yml"
    config.write_text(CONFIG)
    bot = HttpBot(bot_env(fake.base_url, pg_url, DIBS_CONFIG=str(config)), tmp_path / "dibs.log")
    try:
        slack = Sender(SECRET, url=bot.events_url)
        assert slack.event(user_change("U3", ":face_with_thermometer:", "Flu")).status == 200
        open_task(slack, fake)  # #1, unclaimed: at escalate_after one person is asked privately

        [ask] = fake.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "U4", timeout=20)
        text = ask.params["text"]
        assert "Could you take *#1*" in text and "You have taken the fewest follow-ups in the last 30 days (0)" in text
        assert "<@U2> is out of office until " in text and "<@U3> is out of office." in text
        assert "Flu" not in text and "Back soon" not in text  # what people typed is never repeated
        [dnd] = fake.calls("dnd.teamInfo")  # one call for the candidates
        assert sorted(dnd.params["users"].split(",")) == ["U2", "U3", "U4", "U5"]
        assert sorted(c.params["user"] for c in fake.calls("users.info")) == ["U2", "U4"]  # U3's row: the event
        fake.wait_for("chat.update", predicate=lambda c: "Dibs asked <@U4> privately" in blocks_text(c), timeout=10)

        assert "You own #1 now" in slack.command("claim 1", user="U4").body
        for user in ("U2", "U3", "U5"):
            assert "waitlist" in slack.command("claim 1", user=user).body
        slack.command("release 1", user="U4")  # U2 and U3 are away: U5 is offered the seat
        [offer] = fake.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "U5", timeout=10)
        assert "held for you until" in offer.params["text"]
        assert not [c for c in fake.calls("chat.postMessage") if c.params["channel"] in ("U2", "U3")]

        assert slack.event(user_change("U3")).status == 200  # U3's status cleared: back
        [back] = fake.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "U3", timeout=10)
        assert back.params["text"].startswith("While you were out of office, the open seat on #1 ")
        assert back.params["text"].endswith("went to the next in line. You are still on its waitlist.")
    finally:
        bot.stop()

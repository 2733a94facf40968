"""Who may claim, end to end: `dibs serve --http` with `kinds.event.claimers`, over real HTTP against the fake
Slack. The group's members are read in the background at start; a claim by someone else is refused (a command's
answer, one note for their reactions); a member's claim works, and Slack's subteam event lets a newcomer in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store.db import make_engine
from store.models import GroupMembers
from tests.conftest import SECRET
from tests.support.helpers import blocks_text, open_task, wait_until
from tests.support.payloads import Sender, members_changed, reaction_event
from tests.support.server import HttpBot, bot_env

pytestmark = pytest.mark.e2e

CONFIG = """
kinds:
  event:
    claimers: S0SALES
"""
REFUSAL = "Event follow-ups are for <!subteam^S0SALES>. Ask one of them, or the poster can `/dibs assign 1 @someone`."


def test_a_claim_by_someone_outside_the_group_is_refused_over_real_http(fake, pg_url, tmp_path):
    fake.set_group("S0SALES", ["U1"])
    config = tmp_path / "dibs.yml"
    config.write_text(CONFIG)
    bot = HttpBot(bot_env(fake.base_url, pg_url, DIBS_CONFIG=str(config)), tmp_path / "dibs.log")
    engine = make_engine(pg_url)
    try:
        slack = Sender(SECRET, url=bot.events_url)

        def members_read() -> bool:
            with engine.connect() as connection:
                return connection.execute(select(GroupMembers.members)).scalar() == '["U1"]'

        wait_until(members_read, 15, "the claimer group's members read at start")
        post, reply = open_task(slack, fake)

        assert REFUSAL in slack.command("claim 1", user="U9").body
        for kind in ("reaction_added", "reaction_removed", "reaction_added"):
            assert slack.event(reaction_event(kind, "U9", post["ts"])).status == 200
        slack.event(reaction_event("reaction_added", "U1", post["ts"]))
        fake.wait_for("chat.update", predicate=lambda c: "<@U1>" in blocks_text(c), timeout=10)
        notes = [c.params["text"] for c in fake.calls("chat.postEphemeral") if c.params["user"] == "U9"]
        assert notes == [REFUSAL]  # one note for U9's reactions, none for taking one back

        assert slack.event(members_changed("S0SALES", added=["U9"])).status == 200
        assert "You own #1 now" in slack.command("claim 1", user="U9").body
        fake.wait_for("chat.update", predicate=lambda c: "<@U1>, <@U9>" in blocks_text(c), timeout=10)
        assert reply.params["thread_ts"] == post["ts"]
    finally:
        engine.dispose()
        bot.stop()

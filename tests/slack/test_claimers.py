"""Who may claim: `kinds.X.claimers` (or `/dibs route KIND @group claimers` over it) keeps a kind's seats for one
user group's members and the admins, by every way a seat is taken; members read in the background and kept
from Slack's subteam events; an unknown group never blocks a claim. Through Bolt in-process with signed
requests, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.services import groups
from bot.services.replies import seat_queued
from bot.settings import DEFAULT_KINDS, Settings
from bot.slack.command_parser import UsageError, parse_command
from bot.slack.commands import Route
from bot.slack.ids import ActionId
from bot.staffing import claims
from bot.tasks.claimers import claimers_of
from store.enums import ClaimRole, Via
from store.models import Claim, GroupMembers
from store.queries.claim_requests import add_request
from store.queries.groups import members_of
from tests.conftest import SECRET, make_dibs, sender_for
from tests.support.helpers import last_update, open_task
from tests.support.payloads import TEAM, block_action, group_updated, members_changed, reaction_event

SALES, ADMINS = "S0SALES", "S0ADMINS"
REFUSAL = "Event follow-ups are for <!subteam^S0SALES>. Ask one of them, or the poster can `/dibs assign 1 @someone`."


@pytest.fixture
def bot(settings, fake):
    kinds = {**DEFAULT_KINDS, "event": DEFAULT_KINDS["event"].model_copy(update={"claimers": SALES})}
    fake.set_group(SALES, ["U1", "U2", "U3"])
    fake.set_group(ADMINS, ["UADMIN"])
    b = make_dibs(settings, kinds=kinds, admins=ADMINS)
    b.services.admins.set_members(TEAM, ["UADMIN"])
    yield b
    b.shutdown()


@pytest.fixture
def slack(bot):
    return sender_for(bot)


def read(bot) -> int:
    return groups.read_groups(bot.services, bot.clients.background, bot.workspaces())


def notes_to(fake, user: str) -> list[str]:
    return [str(c.params.get("text")) for c in fake.calls("chat.postEphemeral") if c.params.get("user") == user]


def people_on(bot, task_id: int = 1) -> dict[str, ClaimRole]:
    with bot.db() as session:
        return {c.user_id: c.role for c in session.scalars(select(Claim).where(Claim.task_id == task_id))}


def test_a_claim_outside_the_group_is_refused_by_button_command_and_waitlist(bot, slack, fake):
    assert read(bot) == 2  # the claimers and the admins group, both never read
    post, reply = open_task(slack, fake)
    ts = reply.response["ts"]
    slack.interactive(block_action(ActionId.CLAIM, "1", "U9", ts, post["ts"]))
    assert notes_to(fake, "U9") == [REFUSAL]
    assert REFUSAL in slack.command("claim 1", user="U9").body
    slack.interactive(block_action(ActionId.CLAIM, "1", "U1", ts, post["ts"]))
    slack.command("claim 1", user="UADMIN")  # the admins may always claim
    assert "<@U1>, <@UADMIN>" in last_update(fake)
    assert REFUSAL in slack.command("claim 1", user="U8").body  # full: the waitlist is for members too
    slack.command("claim 1", user="U2")
    assert people_on(bot) == {"U1": ClaimRole.OWNER, "UADMIN": ClaimRole.OWNER, "U2": ClaimRole.WAITING}
    assert "<@" not in REFUSAL  # a group mention in a note notifies nobody; no person is named


def test_a_reaction_outside_the_group_is_left_alone_and_told_once_per_task(bot, slack, fake):
    read(bot)
    post, _ = open_task(slack, fake)
    for kind in ("reaction_added", "reaction_removed", "reaction_added"):
        assert slack.event(reaction_event(kind, "U9", post["ts"])).status == 200
    assert notes_to(fake, "U9") == [REFUSAL] and people_on(bot) == {}
    slack.event(reaction_event("reaction_added", "U1", post["ts"]))
    assert people_on(bot) == {"U1": ClaimRole.OWNER}


def test_a_seat_handed_to_someone_outside_the_group_is_refused(bot, slack, fake):
    read(bot)
    open_task(slack, fake)
    slack.command("claim 1", user="U1")
    cannot = "<@U9> can't take #1: Event follow-ups are for <!subteam^S0SALES>."
    assert cannot in slack.command("assign 1 <@U9>", user="U1").body
    assert cannot in slack.command("swap 1 <@U9>", user="U1").body
    assert cannot in slack.command("swap 1 <@U1> <@U9>", user="U111").body  # the poster's take-over
    assert "I asked <@U2> privately" in slack.command("swap 1 <@U2>", user="U1").body
    assert "You handed your slot #1 to <@U3>" in slack.command("assign 1 <@U3>", user="U1").body
    assert people_on(bot) == {"U3": ClaimRole.OWNER}


def test_who_left_the_group_cannot_take_the_seat_offered_nor_is_offered_one(bot, slack, fake):
    read(bot)
    open_task(slack, fake)
    for user in ("U1", "U2", "U3"):
        slack.command("claim 1", user=user)
    slack.event(members_changed(SALES, added=["U7"], removed=[]))
    slack.command("claim 1", user="U7")  # joined: may claim, and waits behind U3
    slack.command("release 1", user="U1")
    assert people_on(bot)["U3"] == ClaimRole.OFFERED
    slack.event(members_changed(SALES, added=[], removed=["U3", "U7"]))
    [offer] = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U3"]
    take = block_action(ActionId.TAKE_OFFER, "1", "U3", offer.response["ts"], "", channel="D333")
    take["message"].update(text=offer.params["text"], blocks=offer.params["blocks"])
    slack.interactive(take)
    assert people_on(bot)["U3"] == ClaimRole.OFFERED
    to_u3 = [str(c.params) for c in fake.calls() if c.params.get("channel") in ("U3", "D333")]
    assert any("Event follow-ups are for <!subteam^S0SALES>" in said for said in to_u3)
    slack.command("release 1", user="U2")  # U7 left the group too: the freed seat is not offered to them
    assert people_on(bot)["U7"] == ClaimRole.WAITING
    assert not [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U7"]


def test_a_queued_claim_is_checked_again_when_it_is_seated(pg_url, fake):  # only PostgreSQL queues claims
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.base_url, database_url=pg_url)
    kinds = {**DEFAULT_KINDS, "event": DEFAULT_KINDS["event"].model_copy(update={"claimers": SALES})}
    fake.set_group(SALES, ["U1"])
    bot = make_dibs(settings, kinds=kinds)
    try:
        slack = sender_for(bot)
        read(bot)
        open_task(slack, fake)
        with bot.services.transaction() as tx:  # U8's claim waited behind another; U8 is not in the group
            add_request(tx.session, team_id=TEAM, task_id=1, user_id="U8", via=Via.BUTTON, seat=None,
                        tell_channel="C111", tell_thread=None, created_at=tx.now)  # fmt: skip
        assert seat_queued(bot.services) == 1
        bot.deliver()
        assert notes_to(fake, "U8") == [REFUSAL] and people_on(bot) == {}
    finally:
        bot.shutdown()


def test_a_claim_queued_behind_another_is_refused_at_once(bot, slack, fake):
    read(bot)
    open_task(slack, fake)
    with bot.services.transaction() as tx, pytest.raises(Exception, match="are for <!subteam"):
        claims.queue_claim(tx, TEAM, 1, "U9", Via.BUTTON, "C111", None, ("C111", None))


def test_members_follow_slacks_events_and_the_background_read(bot, slack, fake):
    read(bot)
    open_task(slack, fake)
    slack.event(members_changed(SALES, added=["U9"], removed=["U1"]))
    with bot.db() as session:
        assert members_of(session, TEAM, SALES) == {"U2", "U3", "U9"}
    slack.event(group_updated(SALES, ["U5"]))
    slack.event(group_updated("S0OTHER", ["U6"]))  # a group nobody reads is not kept
    with bot.db() as session:
        assert members_of(session, TEAM, SALES) == {"U5"} and members_of(session, TEAM, "S0OTHER") is None
        assert claimers_of(session, bot.settings, TEAM, "event") == {"U5", "UADMIN"}
        assert claimers_of(session, bot.settings, TEAM, "blog_comment") is None  # anyone
    assert read(bot) == 0  # read a moment ago: not again for ten minutes
    assert REFUSAL in slack.command("claim 1", user="U2").body
    slack.event(group_updated(ADMINS, ["U2"]))  # the admins group, too
    assert "You own #1 now" in slack.command("claim 1", user="U2").body
    assert bot.services.admins.allows(TEAM, "U2") is True


def test_unknown_members_never_block_a_claim_and_a_failing_slack_keeps_the_last_known(bot, slack, fake, caplog):
    open_task(slack, fake)
    with caplog.at_level(logging.WARNING):
        assert "You own #1 now" in slack.command("claim 1", user="U9").body  # never read yet: allowed
    assert "S0SALES are not known yet" in caplog.text
    fake.fail_next("usergroups.users.list", status=200, body={"ok": False, "error": "fatal_error"}, count=2)
    assert read(bot) == 0
    with bot.db() as session:
        assert session.scalars(select(GroupMembers)).all() == []
    assert read(bot) == 2
    with bot.db() as session:  # ten minutes later Slack fails: the members read before stay
        for row in session.scalars(select(GroupMembers)):
            row.fetched_at = row.fetched_at.replace(year=2000)
        session.commit()
    fake.fail_next("usergroups.users.list", status=200, body={"ok": False, "error": "fatal_error"}, count=2)
    assert read(bot) == 0
    assert REFUSAL in slack.command("claim 1", user="U8").body


def test_route_sets_and_clears_who_may_claim_over_the_settings_file(bot, slack, fake):
    fake.set_group("S0BLOG", ["U4"])
    assert "Only members of" in slack.command("route event <!subteam^S0BLOG> claimers", user="U9").body
    answer = slack.command("route blog_comment <!subteam^S0BLOG|@blog> claimers", user="UADMIN").body
    assert "Only <!subteam^S0BLOG> and the admins can claim blog comment follow-ups now." in answer
    shown = slack.command("settings", user="UADMIN").body
    assert (
        "Who may claim: Event: <!subteam^S0SALES> (the settings file's); Blog comment: <!subteam^S0BLOG> (set here)"
        in shown
    )
    assert read(bot) == 3
    open_task(slack, fake, text="Jane left a comment on the blog: can someone reply?")
    assert "follow-ups are for <!subteam^S0BLOG>" in slack.command("claim 1", user="U1").body
    assert "You own #1 now" in slack.command("claim 1", user="U4").body
    assert "can be claimed by anyone now" in slack.command("route blog_comment none claimers", user="UADMIN").body
    assert "had no claimer group set here" in slack.command("route blog_comment off claimers", user="UADMIN").body
    assert "Event had no claimer group set here." in slack.command("route event none claimers", user="UADMIN").body
    assert "number 1 on the waitlist" in slack.command("claim 1", user="U1").body  # anyone again


def test_reactions_made_while_dibs_was_down_are_checked_too(bot, slack, fake):
    read(bot)
    post, _ = open_task(slack, fake)
    fake.set_reactions("C111", post["ts"], [{"name": "raising_hand", "users": ["U9", "U1"], "count": 2}])
    assert bot.recover() == 1
    assert bot.recover() == 0
    bot.deliver()
    assert people_on(bot) == {"U1": ClaimRole.OWNER} and notes_to(fake, "U9") == [REFUSAL]


def test_route_reads_claimers_at_the_end():
    assert parse_command("route Booth staffing <!subteam^S1|@sales> claimers") == Route("Booth staffing", "S1", True)
    assert parse_command("route event off claimers") == Route("event", None, True)
    assert parse_command("route event <!subteam^S1>") == Route("event", "S1")
    with pytest.raises(UsageError, match="`claimers` at the end"):
        parse_command("route event claimers")

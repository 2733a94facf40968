"""Reminders, escalation, due dates, the noise budget and the morning edition, in-process on both databases.

A reminder moves the channel's standing list of open follow-ups to the bottom of the channel (posted anew, the
old one deleted) rather than replying in each thread; the morning edition is that list's first move of the day.
The planners take `now` explicitly, so the tests move time forward by passing later moments instead of
sleeping; sending goes through the real Web API client to the fake Slack.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.digest.plan import plan_digests
from bot.reminders.planning import plan_due_dates, plan_nags
from bot.settings import DEFAULT_KINDS, DigestSettings, NagSettings, WorkingHours
from bot.timing import due_schedule
from store.enums import Via
from store.models import OutboxPost, Task, utcnow
from tests.conftest import make_dibs, sender_for
from tests.support.helpers import (
    blocks_text,
    last_update,
    list_posts,
    list_updates,
    nags,
    open_task,
    tick,
    watched_since_yesterday,
)
from tests.support.payloads import CHANNEL, message_event


@pytest.fixture
def bot(settings):
    b = make_dibs(settings, working_hours=WorkingHours(always=True), digest=DigestSettings(days=frozenset()))
    yield b
    b.shutdown()


@pytest.fixture
def slack(bot):
    return sender_for(bot)


def later(**delta: float):
    return utcnow() + timedelta(**delta)


def run(bot, now) -> int:
    plan_nags(bot.services, now)
    return bot.deliver(now)


def test_first_reminder_after_first_after_then_every(bot, slack, fake):
    open_task(slack, fake)
    assert run(bot, later(hours=1, minutes=59)) == 0
    run(bot, later(hours=2, minutes=1))
    [first] = nags(fake)  # the channel's list, posted at the bottom of the channel: no reply in the thread
    assert first.params["channel"] == CHANNEL and "thread_ts" not in first.params
    assert "Still waiting for someone: #1." in first.params["text"] and "<!here>" not in first.params["text"]
    assert '"dibs_claim"' in json.dumps(first.params["blocks"])  # each open follow-up has its I'll take it
    run(bot, later(hours=3))
    assert len(nags(fake)) == 1  # the next one is `every` (4h) after the first
    run(bot, later(hours=6, minutes=2))
    second = nags(fake)[-1]
    assert len(nags(fake)) == 2 and second.response["ts"] != first.response["ts"]
    [gone] = fake.calls("chat.delete")  # the list moved: the one before it is deleted
    assert gone.params == {"channel": CHANNEL, "ts": first.response["ts"]}


def test_no_reminder_after_a_claim_and_release_restarts_the_clock(bot, slack, fake):
    open_task(slack, fake)
    slack.command("claim 1", user="U2")
    run(bot, later(hours=5))
    assert nags(fake) == []
    slack.command("release 1", user="U2")
    run(bot, later(hours=1))
    assert nags(fake) == []  # the clock restarted at the release
    run(bot, later(hours=2, minutes=1))
    assert len(nags(fake)) == 1


def test_a_claim_that_arrives_before_the_send_wins(bot, slack, fake):
    open_task(slack, fake)
    plan_nags(bot.services, later(hours=3))  # the reminder is queued...
    slack.command("claim 1", user="U2")  # ...and a claim arrives before it goes out
    bot.deliver(later(hours=3))
    assert list_posts(fake) == []  # nothing is waiting any more: no list goes up for it
    with bot.db() as session:
        assert [p.state for p in session.scalars(select(OutboxPost).where(OutboxPost.purpose == "list"))] == [
            "cancelled"
        ]


def test_snooze_and_mute_pause_reminders(bot, slack, fake):
    open_task(slack, fake)
    assert "No reminders for #1 until" in slack.command("snooze 1 1d", user="U111").body
    run(bot, later(hours=3))
    assert nags(fake) == []
    run(bot, later(days=1, minutes=1))
    assert len(nags(fake)) == 1
    assert "are paused" in slack.command("mute").body
    run(bot, later(days=2))
    assert len(nags(fake)) == 1
    assert "back on" in slack.command("unmute").body
    run(bot, later(days=3))
    assert len(nags(fake)) == 2
    assert "I don't watch" in slack.command("mute", channel="C999").body
    assert "is not a duration" in slack.command("snooze 1 soon").body


def test_the_escalation_ladder(bot, slack, fake):
    open_task(slack, fake)
    first = later(days=1, hours=1)
    if first.hour >= 19:  # the next reminder must fall on the same (UTC) day
        first = (first + timedelta(days=1)).replace(hour=8)
    run(bot, first)
    assert nags(fake)[-1].params["text"].startswith("<!here>")  # no owner group: the channel's active members
    run(bot, first + timedelta(hours=4, minutes=5))
    assert len(nags(fake)) == 2 and "<!here>" not in nags(fake)[-1].params["text"]  # once a day at most
    run(bot, later(days=3, hours=1))
    [dm] = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U111"]
    assert "Nobody has taken #1" in dm.params["text"] and "/dibs assign 1" in dm.params["text"]
    run(bot, later(days=4))
    assert len([c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U111"]) == 1  # once


def test_escalation_mentions_the_owner_group(settings, fake):
    kinds = {**DEFAULT_KINDS, "event": DEFAULT_KINDS["event"].model_copy(update={"owner_group": "S0EVENTS"})}
    bot = make_dibs(settings, working_hours=WorkingHours(always=True), kinds=kinds)
    try:
        open_task(sender_for(bot), fake)
        run(bot, later(days=1, hours=1))
        assert nags(fake)[-1].params["text"].startswith("<!subteam^S0EVENTS>")
    finally:
        bot.shutdown()


def test_reminders_wait_for_working_hours(settings, fake):
    # A window that is closed now and for the next hours: the reminder waits for its start.
    now = utcnow()
    start, end = (now + timedelta(hours=3)).time(), (now + timedelta(hours=4)).time()
    if end <= start:  # near midnight: use a window that closed a few hours ago instead
        start, end = (now - timedelta(hours=4)).time(), (now - timedelta(hours=3)).time()
    hours = WorkingHours(always=False, start=start, end=end, days=frozenset(range(7)))
    bot = make_dibs(settings, working_hours=hours, nag=NagSettings(first_after=timedelta(minutes=1)))
    try:
        open_task(sender_for(bot), fake)
        assert run(bot, later(minutes=2)) == 0
        with bot.db() as session:
            task = session.scalars(select(Task)).one()
        local = task.next_nag_at.astimezone(bot.settings.tz)
        assert local.time() == hours.start
    finally:
        bot.shutdown()


def test_many_due_tasks_of_one_channel_are_one_list_with_a_button_each(bot, slack, fake):
    slack.command("watch")
    posts = [message_event(f"Booth number {n} at the expo") for n in range(5)]
    for post in posts:
        slack.event(post)
    fake.clear()
    run(bot, later(hours=3))
    [batch] = fake.calls("chat.postMessage")
    assert "thread_ts" not in batch.params and batch.params["channel"] == CHANNEL
    text = batch.params["text"]
    assert "Still waiting for someone: #1, #2, #3, #4, #5." in text
    shown = json.dumps(batch.params["blocks"])
    assert all(f"*#{n}*" in shown for n in range(1, 6)) and "<https://test.slack.com/archives/C111/p" in shown
    assert shown.count('"dibs_claim"') == 5
    run(bot, later(hours=3, minutes=1))
    assert len(fake.calls("chat.postMessage")) == 1


def test_the_list_is_posted_once_then_kept_up_to_date_in_place(bot, slack, fake):
    open_task(slack, fake)
    slack.command("digest")  # the list goes up now (a reminder or the morning edition would put it up too)
    [shown] = list_posts(fake)
    slack.command("claim 1", user="U2")
    assert "*#1*" in blocks_text(list_updates(fake)[-1]) and "<@U2>" in blocks_text(list_updates(fake)[-1])
    slack.event(message_event("Another booth at the county fair"))  # a new follow-up joins the list
    assert "*#2*" in blocks_text(list_updates(fake)[-1])
    slack.command("release 1", user="U2")
    slack.command("done 2", user="U111")
    latest = blocks_text(list_updates(fake)[-1])
    assert "Done since the last list" in latest and "*#2*" in latest
    assert all(c.params["ts"] == shown.response["ts"] for c in list_updates(fake))
    assert list_posts(fake) == [shown] and fake.calls("chat.delete") == []  # one message, edited in place


def test_a_reminder_between_the_channels_reminders_says_so_in_place(bot, slack, fake):
    """The list moves for a reminder at most once per `nag.every` (and never inside `digest.quiet_window`): a new
    follow-up's first reminder in between updates the list in place."""
    open_task(slack, fake)
    run(bot, later(hours=2, minutes=1))  # #1's first reminder: the list goes up
    slack.event(message_event("Another booth at the county fair"))  # #2, first reminder 2 h from now
    run(bot, later(hours=4, minutes=2))  # #2's reminder, 2 h after the list moved: in place
    assert len(nags(fake)) == 1
    assert "Still waiting for someone: #1, #2." in blocks_text(list_updates(fake)[-1])
    run(bot, later(hours=6, minutes=2))  # #1's next reminder, 4 h after the move: it moves again
    assert len(nags(fake)) == 2 and "Still waiting for someone: #1, #2." in nags(fake)[-1].params["text"]


def test_a_reminder_slack_refuses_is_retried_not_lost(bot, slack, fake):
    open_task(slack, fake)
    fake.fail_next("chat.postMessage", status=500, count=3)  # more than slack_sdk's own retries
    plan_nags(bot.services, later(hours=3))
    assert bot.deliver(later(hours=3), linger=timedelta(0)) == 0
    with bot.db() as session:
        post = session.scalars(select(OutboxPost).where(OutboxPost.purpose == "list")).one()
        assert (post.state, post.attempts) == ("pending", 1)
    assert bot.deliver(later(hours=3, seconds=3)) == 1  # once the back-off is over
    assert len(nags(fake)) == 1
    assert bot.deliver(later(hours=3, seconds=10)) == 0


def test_the_noise_budget_folds_extra_pings_into_the_digest(settings, fake):
    nag = NagSettings(max_pings_per_day=1)
    bot = make_dibs(settings, working_hours=WorkingHours(always=True), nag=nag)
    slack = sender_for(bot)
    try:
        open_task(slack, fake)
        slack.event(message_event("Another booth at the expo"))
        run(bot, later(days=3, hours=1))
        dms = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U111"]
        assert len(dms) == 1  # the poster is pinged once today; the second DM is held back
        preview = str(slack.command("digest preview").json())
        assert "Held back" in preview and "Nobody has taken" in preview
    finally:
        bot.shutdown()


def test_owners_are_reminded_before_the_due_date_and_overdue_shows(bot, slack, fake):
    open_task(slack, fake)
    due = (utcnow() + timedelta(days=5)).date()
    assert f"is due {due:%a %d %b %Y}" in slack.command(f"due 1 {due.isoformat()}", user="U111").body
    slack.command("claim 1", user="U2")
    three_days_before, one_day_before, _overdue = due_schedule(due, bot.settings)
    plan_due_dates(bot.services, three_days_before + timedelta(seconds=1))
    bot.deliver(three_days_before + timedelta(seconds=1))
    [first] = [c for c in fake.calls("chat.postMessage") if "is due" in str(c.params.get("text"))]
    assert first.params["text"].startswith("<@U2>: #1 is due in 3 days")
    plan_due_dates(bot.services, one_day_before + timedelta(seconds=1))
    bot.deliver(one_day_before + timedelta(seconds=1))
    assert "due tomorrow" in fake.calls("chat.postMessage")[-1].params["text"]
    assert "bad" not in slack.command("due 1 2026-13-45").body
    assert "I couldn't read `soon` as a date: write `/dibs due 1 Jan 20`" in slack.command("due 1 soon").body
    yesterday = (utcnow() - timedelta(days=1)).date()
    slack.command(f"due 1 {yesterday.isoformat()}", user="U111")
    assert "overdue" in last_update(fake)
    assert "overdue" in str(slack.command("list").json())


def test_new_with_a_date_in_the_title_sets_the_due_date(bot, slack, fake):
    slack.command("new event Booth at Springfield Expo 2030-12-12", response_url=fake.response_url("n"))
    with bot.db() as session:
        assert session.scalars(select(Task)).one().due_on == date(2030, 12, 12)


def test_one_digest_per_channel_per_day_even_across_restarts(settings, fake):
    digest = DigestSettings(at=(utcnow() - timedelta(minutes=1)).time(), days=frozenset(range(7)))
    first = make_dibs(settings, digest=digest)
    slack = sender_for(first)
    open_task(slack, fake)
    slack.command("claim 1", user="U2")
    slack.event(message_event("Sending gifts to every customer"))
    watched_since_yesterday(settings.database_url)
    fake.clear()
    tick(first)
    tick(first)
    [posted] = fake.calls("chat.postMessage")
    assert "thread_ts" not in posted.params and posted.params["channel"] == CHANNEL
    shown = str(posted.params["blocks"])
    assert "Unclaimed" in shown and "#2" in shown and "Taken" in shown and "<@U2>" in shown
    first.shutdown()
    second = make_dibs(settings, digest=digest)  # a restart, or another process
    try:
        tick(second)
        assert len(fake.calls("chat.postMessage")) == 1
    finally:
        second.shutdown()


def test_digest_on_demand_and_preview(bot, slack, fake):
    open_task(slack, fake)
    fake.clear()
    preview = slack.command("digest preview")
    assert "Unclaimed" in str(preview.json()) and fake.calls("chat.postMessage") == []
    slack.command("digest")
    [posted] = fake.calls("chat.postMessage")
    assert posted.params["channel"] == CHANNEL and "Unclaimed" in str(posted.params["blocks"])
    assert "digest preview" in slack.command("digest now").body


def test_a_quiet_day_gives_one_line_or_no_digest(settings, fake):
    for when_empty, expected in (("one_line", 1), ("skip", 0)):
        digest = DigestSettings(
            at=(utcnow() - timedelta(minutes=1)).time(), days=frozenset(range(7)), when_empty=when_empty
        )
        bot = make_dibs(settings, digest=digest)
        try:
            sender_for(bot).command("watch", channel=f"CQ{when_empty.upper()}")
            watched_since_yesterday(settings.database_url)
            plan_digests(bot.services, utcnow(), due=True)
            bot.deliver(utcnow())
            posts = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == f"CQ{when_empty.upper()}"]
            assert len(posts) == expected
            if posts:
                assert "Nothing open" in posts[0].params["text"] and len(posts[0].params["blocks"]) == 2
        finally:
            bot.shutdown()


def test_a_restart_catches_up_once_coalesced(settings, fake):
    first = make_dibs(settings, working_hours=WorkingHours(always=True))
    slack = sender_for(first)
    slack.command("watch")
    for n in range(5):
        slack.event(message_event(f"Booth number {n} at the expo"))
    first.shutdown()
    fake.clear()
    second = make_dibs(settings, working_hours=WorkingHours(always=True))
    try:
        run(second, later(hours=10))  # everything fell due while no process ran
        run(second, later(hours=10, seconds=1))
        [batch] = fake.calls("chat.postMessage")
        assert "Still waiting for someone: #1, #2, #3, #4, #5." in batch.params["text"]
    finally:
        second.shutdown()


def test_claims_made_while_dibs_was_down_are_recovered(bot, slack, fake):
    post, reply = open_task(slack, fake)
    fake.set_reactions(CHANNEL, post["ts"], [{"name": "raising_hand", "users": ["U7"], "count": 1}])
    fake.set_reactions(
        CHANNEL, reply.response["ts"], [{"name": "raising_hand::skin-tone-2", "users": ["U8", "UBOT"], "count": 2}]
    )
    assert bot.recover() == 2
    bot.deliver()
    assert "<@U7>, <@U8>" in last_update(fake)
    assert {c.params["timestamp"] for c in fake.calls("reactions.get")} == {post["ts"], reply.response["ts"]}
    assert bot.recover() == 0  # nothing new the second time


def test_a_digest_of_2000_open_tasks_still_posts_within_block_kit_limits(bot, slack, fake):
    slack.command("watch")
    start = utcnow() - timedelta(days=30)
    with bot.db.begin() as session:  # one transaction: the digest is the point here, not 2,000 commits
        session.add_all(
            Task(
                team_id="T111",
                channel_id=CHANNEL,
                kind="event",
                title=f"Expo booth {n:04d} " + "x" * 250,
                slots=2,
                posted_by="U111",
                message_ts=f"1600000000.{n:06d}",
                source=Via.MESSAGE,
                created_at=utcnow(),
                version=1,
                thread_version=1,  # their threads are up to date: only the digest is to post
            )
            for n in range(2000)
        )
    with bot.db.begin() as session:  # make the first task the oldest by far
        session.get(Task, 1).created_at = start
    watched_since_yesterday(bot.settings.database_url)
    assert plan_digests(bot.services, utcnow(), due=True) == 1
    bot.deliver(utcnow())
    [posted] = [c for c in fake.calls("chat.postMessage") if "thread_ts" not in c.params]
    blocks = posted.params["blocks"]
    assert len(blocks) <= 50 and len(posted.params["text"]) < 4000
    texts = [b["text"]["text"] for b in blocks if b.get("type") == "section"]
    assert all(len(t) <= 3000 for t in texts)
    shown = "\n".join(texts)
    assert shown.index("*#1*") < shown.index("*#2*")  # oldest first
    assert re.search(r"…and 1,\d{3} more", shown)


def test_a_task_turning_overdue_updates_its_thread(bot, slack, fake):
    open_task(slack, fake)
    due = (utcnow() - timedelta(days=3)).date()
    with bot.db.begin() as session:
        task = session.get(Task, 1)
        task.due_on, task.next_due_at, task.due_reminders_sent = due, utcnow() - timedelta(seconds=1), 2
    fake.clear()
    tick(bot)
    assert "overdue" in last_update(fake)
    with bot.db() as session:
        assert session.get(Task, 1).next_due_at is None  # the last step: nothing more is planned
    assert plan_due_dates(bot.services, utcnow()) == []


@pytest.mark.parametrize(
    "watched_at, first_digest",
    [
        ("2026-12-01 10:30", "2026-12-02 09:00"),  # after today's digest time: tomorrow's is the first
        ("2026-12-01 08:30", "2026-12-01 09:00"),  # before it: today's
        ("2026-12-04 18:00", "2026-12-07 09:00"),  # a Friday evening: Monday's (mon-fri)
    ],
)
def test_a_newly_watched_channel_gets_its_first_digest_at_the_next_digest_time(
    settings, fake, watched_at, first_digest
):
    """`/dibs watch` after digest.at used to post a digest at the next tick (about 30 s later)."""
    from freezegun import freeze_time

    bot = make_dibs(settings)  # digest at 09:00 mon-fri, UTC
    try:
        with freeze_time(watched_at) as frozen:
            sender_for(bot).command("watch")
            fake.clear()
            for _ in range(200):  # every tick of the next few days, 30 minutes apart
                frozen.tick(timedelta(minutes=30))
                tick(bot)
                if fake.calls("chat.postMessage"):
                    break
            [posted] = fake.calls("chat.postMessage")
            assert "open follow-ups" in posted.params["text"].lower()
            assert utcnow() - timedelta(minutes=30) < datetime.fromisoformat(first_digest).replace(tzinfo=UTC)
            assert utcnow() >= datetime.fromisoformat(first_digest).replace(tzinfo=UTC)
    finally:
        bot.shutdown()


def test_follow_ups_nobody_took_reach_their_poster_in_one_message(bot, slack, fake):
    open_task(slack, fake)
    slack.event(message_event("Another booth at the county fair"))  # both posted by U111
    run(bot, later(days=3, hours=1))
    [dm] = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == "U111"]
    assert "Nobody has taken these follow-ups you posted" in dm.params["text"]
    assert "#1 " in dm.params["text"] and "#2 " in dm.params["text"]


def test_a_morning_edition_and_a_reminder_due_together_are_one_message(settings, fake):
    from freezegun import freeze_time

    with freeze_time("2026-12-08 08:00") as frozen:  # a Tuesday, before the 09:00 digest
        bot = make_dibs(settings, digest=DigestSettings(when_unchanged="post"))
        try:
            slack = sender_for(bot)
            slack.command("watch")
            watched_since_yesterday(settings.database_url)
            slack.event(message_event("We got a booth at the Springfield Expo"))  # first reminder due at 10:00
            fake.clear()
            frozen.move_to("2026-12-08 10:30")  # Dibs was down since 08:00: the edition and the reminder are due
            tick(bot)
            [posted] = fake.calls("chat.postMessage")
            shown = blocks_text(posted)
            assert "Open follow-ups · Tuesday 8 December" in shown and "Still waiting for someone: #1." in shown
        finally:
            bot.shutdown()

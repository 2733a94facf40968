"""The App Home tab: opened (app_home_opened), drawn by the courier, refreshed when a task changes, and
its buttons, through signed events and interactivity payloads, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import update

from bot.staffing import claims
from bot.tasks import service
from bot.tasks.service import NewTask
from store.enums import Via
from store.models import HomeView, Task
from tests.support.helpers import open_task
from tests.support.payloads import CHANNEL, POSTER, TEAM, message_event, new_trigger
from tests.support.services import claim_task, complete_task

OTHER = "C222"


def open_home(slack, user: str = "U2") -> None:
    event = {"type": "app_home_opened", "user": user, "channel": "D111", "tab": "home", "event_ts": "1606810927.5"}
    assert slack.event(event).status == 200


def last_home(fake, user: str = "U2") -> dict:
    published = [c for c in fake.calls("views.publish") if c.params["user_id"] == user]
    assert published, f"no Home tab published for {user}"
    return published[-1].params["view"]


def texts(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


def home_click(action_id: str, task_id: int, user: str = "U2") -> dict:
    """A button on the Home tab, as Slack sends it (a view container, no channel)."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A111",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": new_trigger(),
        "team": {"id": TEAM, "domain": "test-domain"},
        "view": {"id": "V0HOME", "type": "home", "team_id": TEAM, "blocks": [], "state": {"values": {}}},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "value": str(task_id),
                "type": "button",
                "text": {"type": "plain_text", "text": "x"},
                "action_ts": "1.2",
            }
        ],
    }


def test_someone_in_no_watched_channel_sees_how_to_start(dibs, slack, fake):
    open_home(slack, user="U5")
    shown = texts(last_home(fake, "U5"))
    assert "/dibs watch" in shown and "/invite @Dibs" in shown
    assert len(last_home(fake, "U5")["blocks"]) <= 5


def test_your_tasks_overdue_first_then_the_unclaimed_in_your_channels(dibs, slack, fake):
    fake.set_memberships("U2", [CHANNEL])
    open_task(slack, fake)  # #1
    slack.event(message_event("Webinar next week: who hosts the Q&A?"))  # #2
    slack.command("watch", user="UADMIN", channel=OTHER)
    slack.event(message_event("Booth at the Fall Fair: who staffs it?", channel=OTHER))  # #3, not U2's channel
    slack.event(message_event("Blog comment on pricing needs an answer"))  # #4
    slack.event(message_event("Expo booth: who staffs it? 2026-12-30"))  # #5
    slack.command("claim 1", user="U2")
    slack.command("claim 1", user="U3")  # the booth's second seat
    slack.command("claim 4", user="U2")
    slack.command("done 4", user="U2")
    slack.command("claim 5", user="U2")
    with dibs.db.begin() as session:  # #5's day passed: overdue, so it comes first
        session.execute(update(Task).where(Task.id == 5).values(due_on=date.today() - timedelta(days=2)))
    open_home(slack)
    view = last_home(fake)
    shown = texts(view)
    assert shown.index("*#5*") < shown.index("*#1*") < shown.index("Unclaimed in your channels")
    assert ":warning: *overdue*" in shown
    assert "*#1* :calendar: Event · " in shown and "event ·" not in shown  # the kind's label, never its key
    assert "With <@U3>" in shown and "<@U2>" not in shown  # the others who have it; not the reader
    assert "*#2*" in shown and "*#3*" not in shown  # unclaimed: only in channels U2 is in
    assert "Finished this week* (1)" in shown and "*#4*" in shown
    assert "Team: 4 open · 0 unclaimed for more than a day · median time to claim this week <1m" in shown
    buttons = [(e["text"]["text"], e["value"]) for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [("Done", "5"), ("Release", "5"), ("Done", "1"), ("Release", "1")]
    takes = [b["accessory"]["value"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "dibs_claim"]
    assert takes == ["2"]
    [users] = fake.calls("users.conversations")
    assert users.params["user"] == "U2"


def test_three_hundred_tasks_stay_within_100_blocks(dibs, slack, fake):
    fake.set_memberships("U2", [CHANNEL])
    slack.command("watch", user="UADMIN")
    # One transaction: 600 tasks, 150 of them U2's (without posts, so no 600 thread replies to send).
    with dibs.services.transaction() as tx:
        for n in range(600):
            poster = "U2" if n >= 300 and n % 3 == 0 else "UPOSTER"  # 100 of the unclaimed ones U2 posted
            task = service.create_task(tx, NewTask(TEAM, CHANNEL, "event", f"Booth {n}", 1, poster, None, Via.MESSAGE))
            assert task is not None
            if n < 300 and n % 2:
                claims.claim_task(tx, TEAM, task.id, "U2", Via.COMMAND)
    open_home(slack)
    view = last_home(fake)
    shown = texts(view)
    assert len(view["blocks"]) <= 100
    assert "*Your tasks* (150)" in shown and "*Unclaimed in your channels* (450)" in shown
    assert "*Waiting on others* (100)" in shown and "…and 90 more." in shown
    assert "more: `/dibs list mine`" in shown and "more: `/dibs list unclaimed`" in shown
    assert shown.index("*#2*") < shown.index("*#4*")  # oldest first
    assert len(json.dumps(view)) < 250_000


def test_buttons_on_the_home_tab_answer_on_the_tab(dibs, slack, fake):
    fake.set_memberships("U2", [CHANNEL])
    open_task(slack, fake)
    open_home(slack)
    assert slack.interactive(home_click("dibs_claim", 1)).status == 200
    assert "You own #1 now" in texts(last_home(fake))
    assert "Release" in texts(last_home(fake))
    slack.interactive(home_click("dibs_release", 1))
    assert "You let go of #1" in texts(last_home(fake))
    slack.interactive(home_click("dibs_claim", 1))
    slack.interactive(home_click("dibs_done", 1))
    assert "#1 is done" in texts(last_home(fake)) and "Finished this week* (1)" in texts(last_home(fake))
    slack.interactive(home_click("dibs_claim", 1))
    assert "#1 is already done" in texts(last_home(fake))
    slack.interactive(home_click("dibs_claim", 99))
    assert "There is no task #99" in texts(last_home(fake))
    assert not fake.calls("chat.postEphemeral")  # nothing went to a channel


def test_a_change_refreshes_the_tab_of_the_people_concerned(dibs, slack, fake):
    for user in ("U2", "U3", "U9"):
        fake.set_memberships(user, [CHANNEL])
    open_task(slack, fake)
    for user in ("U2", "U3", "U9"):
        open_home(slack, user)
    with dibs.db.begin() as session:  # U9 last looked two hours ago and is not on the task
        session.execute(
            update(HomeView).where(HomeView.user_id == "U9").values(opened_at=dibs.services.now() - timedelta(hours=2))
        )
    counts = {u: len([c for c in fake.calls("views.publish") if c.params["user_id"] == u]) for u in ("U2", "U3", "U9")}
    slack.command("claim 1", user="U3")
    after = {u: len([c for c in fake.calls("views.publish") if c.params["user_id"] == u]) for u in ("U2", "U3", "U9")}
    assert after == {"U2": counts["U2"] + 1, "U3": counts["U3"] + 1, "U9": counts["U9"]}
    assert "*#1*" in texts(last_home(fake, "U3"))  # now in U3's tasks
    assert "Nothing is waiting for an owner" in texts(last_home(fake, "U2"))


def test_a_burst_of_changes_publishes_the_tab_once(dibs, slack, fake):
    fake.set_memberships("U2", [CHANNEL])
    open_task(slack, fake)
    slack.event(message_event("Webinar next week: who hosts the Q&A?"))
    open_home(slack)
    before = len(fake.calls("views.publish"))
    svc = dibs.services
    claim_task(svc, TEAM, 1, "U2", Via.COMMAND)  # not delivered in between: the rows wait
    claim_task(svc, TEAM, 2, "U2", Via.COMMAND)
    complete_task(svc, TEAM, 1, "U2", Via.COMMAND)
    dibs.deliver()
    assert len(fake.calls("views.publish")) == before + 1
    shown = texts(last_home(fake))
    assert "*#2*" in shown and "Finished this week* (1)" in shown


def test_a_private_channels_task_refreshes_only_its_people(dibs, slack, fake):
    fake.set_memberships("U9", [CHANNEL])
    open_home(slack, "U9")
    before = len(fake.calls("views.publish"))
    slack.command("watch", user="UADMIN", channel="G555")
    slack.event(message_event("Secret launch booth: who staffs it?", channel="G555"))
    slack.command("claim 1", user="U3", channel="G555")
    assert len(fake.calls("views.publish")) == before
    assert "Secret launch" not in texts(last_home(fake, "U9"))


def test_a_seat_held_for_you_shows_on_the_tab_with_take_it_and_pass(dibs, slack, fake):
    fake.set_memberships("U2", [CHANNEL])
    open_task(slack, fake)  # a booth: two seats
    for user in ("U3", "U4", "U2"):
        slack.command("claim 1", user=user)
    slack.command("release 1", user="U3")  # U2, first in line, is offered the seat
    open_home(slack)
    shown = texts(last_home(fake))
    assert "A seat is held for you until" in shown and "dibs_offer_take" in shown and "dibs_offer_pass" in shown
    assert '"Done"' not in shown  # not theirs yet
    slack.interactive(home_click("dibs_offer_take", 1))
    shown = texts(last_home(fake))
    assert "is yours now" in shown and "Release" in shown and "held for you" not in shown
    slack.interactive(home_click("dibs_offer_take", 1))
    assert "You already have a seat on #1" in texts(last_home(fake))
    assert not fake.calls("chat.postEphemeral")  # nothing went to a channel


def test_what_you_posted_waits_on_others_with_who_has_it(dibs, slack, fake):
    fake.set_memberships(POSTER, [CHANNEL])
    open_task(slack, fake)  # #1, posted by POSTER
    slack.event(message_event("Webinar next week: who hosts the Q&A?"))  # #2
    slack.event(message_event("Blog comment on pricing needs an answer"))  # #3
    slack.event(message_event("Expo booth: who staffs it?", user="U5"))  # #4, someone else's
    slack.event(message_event("Gift for our biggest customer: who sends it?"))  # #5
    slack.command("claim 1", user="U2")
    slack.command("claim 2", user=POSTER)  # on their own plate: not waited for
    slack.command("claim 5", user="U2")
    slack.command("done 5", user="U2")
    open_home(slack, POSTER)
    view = last_home(fake, POSTER)
    shown = texts(view)
    [waiting] = [
        b["text"]["text"] for b in view["blocks"] if "*Waiting on others*" in b.get("text", {}).get("text", "")
    ]
    heading, first, third = waiting.split("\n")
    assert heading == "*Waiting on others* (2)"
    assert first.startswith("• *#1* ") and first.endswith("· taken by <@U2>")
    assert third.startswith("• *#3* ") and third.endswith("· unclaimed")
    assert shown.index("*Your tasks* (1)") < shown.index("*Waiting on others*")
    # Nothing waits on anyone for U2, who posted nothing.
    open_home(slack, "U2")
    assert "Waiting on others" not in texts(last_home(fake, "U2"))

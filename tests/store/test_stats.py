"""The numbers of `/dibs stats` and the weekly digest, against a known week built with freezegun.

Every expected value below is worked out by hand from the history in `week`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from bot.editor.insight_view import build_stats, weekly_lines
from bot.insight.stats import Spread, compute_stats, median, percentile, weekly_series
from bot.services import Services
from bot.settings import DEFAULT_KINDS, Settings
from bot.tasks import rules
from bot.tasks.service import NewTask, cancel_task
from store.enums import Via
from store.models import Task
from tests.support.services import assign_task, claim_task, complete_task, create_task, services_on

TEAM, CHANNEL, ELSEWHERE, PRIVATE = "T111", "C100", "C200", "G300"
UNTIL = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
SINCE = UNTIL - timedelta(days=7)
SETTINGS = Settings(
    kinds={**DEFAULT_KINDS, "event": DEFAULT_KINDS["event"].model_copy(update={"slots": 1, "owner_group": "S1EVENT"})}
)
H = timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def svc(database_url: str) -> Iterator[Services]:
    with services_on(database_url, SETTINGS) as services:
        yield services


class History:
    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.ids: dict[str, int] = {}
        self.ts: dict[str, str] = {}

    def new(self, name: str, when: datetime, kind: str = "event", due: date | None = None, channel: str = CHANNEL):
        self.ts[name] = f"{1000 + len(self.ts)}.0"
        with freeze_time(when):
            task = create_task(self.svc, NewTask(TEAM, channel, kind, f"Task {name}", 1, "UPOSTER", self.ts[name],
                                                 Via.MESSAGE, due_on=due, private=channel.startswith("G")))  # fmt: skip
        self.ids[name] = task.id
        return task.id

    def claim(self, name: str, user: str, when: datetime) -> None:
        with freeze_time(when):
            claim_task(self.svc, TEAM, self.ids[name], user, Via.BUTTON)

    def done(self, name: str, user: str, when: datetime) -> None:
        with freeze_time(when):
            complete_task(self.svc, TEAM, self.ids[name], user, Via.BUTTON)

    def reminded(self, name: str, when: datetime) -> None:
        with self.svc.transaction(now=when) as tx:
            rules.audit(tx.session, tx.session.get(Task, self.ids[name]), "schedule", "reminded", Via.SCHEDULE, when)


@pytest.fixture
def week(svc: Services) -> History:
    h = History(svc)
    h.new("X", at(10, 9))  # the week before: created and claimed then
    h.claim("X", "U1", at(12, 9))
    h.new("O1", at(1, 9), kind="blog_comment")  # still waiting at the end of the week: 22 days
    h.new("E1", at(16, 10))
    h.claim("E1", "U1", at(16, 11))  # 1h to claim
    h.done("E1", "U1", at(17, 10))  # 24h to done
    h.new("E2", at(16, 10))
    h.claim("E2", "U2", at(16, 13))  # 3h
    with freeze_time(at(17, 10)):
        assign_task(svc, TEAM, h.ids["E2"], "U2", "U4", Via.COMMAND)  # U4 becomes an owner too
    h.done("E2", "U4", at(18, 10))  # 48h
    h.new("E5", at(16, 12), due=date(2026, 11, 19))
    h.claim("E5", "U2", at(17, 12))  # 24h, never done: its day passes unfinished
    h.new("E3", at(17, 9))
    h.reminded("E3", at(17, 11))
    h.reminded("E3", at(17, 15))
    h.claim("E3", "U1", at(17, 19))  # 10h, after 2 reminders
    h.new("E4", at(18, 9))
    for hour in (11, 15):
        h.reminded("E4", at(18, hour))
    h.reminded("E4", at(19, 9))
    h.claim("E4", "U3", at(19, 9))  # 24h, after 3 reminders (the one at the same moment counts)
    h.reminded("E4", at(19, 13))  # after the claim: not counted
    h.new("B1", at(18, 9), kind="blog_comment")
    h.claim("B1", "U1", at(18, 9, 30))  # 30m
    h.done("B1", "U1", at(18, 10, 30))  # 1h 30m
    h.new("B2", at(19, 12), kind="blog_comment", due=date(2026, 11, 20))  # its day passes unclaimed
    h.new("B3", at(20, 9), kind="blog_comment")
    with svc.transaction(now=at(20, 15)) as tx:  # its post was deleted: cancelled, never claimed
        assert cancel_task(tx, TEAM, CHANNEL, h.ts["B3"], "the post was deleted") is not None
    h.new("D1", at(19, 9), kind="blog_comment", due=date(2026, 11, 21))
    h.claim("D1", "U3", at(20, 9))
    h.done("D1", "U3", at(20, 16))  # done before its day: fine
    h.new("F1", at(25, 9), kind="blog_comment", due=date(2026, 11, 20))  # not yet posted in that week
    h.new("C2", at(18, 9), channel=ELSEWHERE)  # another channel
    h.claim("C2", "U5", at(18, 10))
    h.new("P1", at(18, 9), channel=PRIVATE)  # a private channel
    h.claim("P1", "U6", at(18, 10))
    return h


def stats(svc: Services, channel: str | None = CHANNEL, since=SINCE, until=UNTIL, seen_from: str | None = CHANNEL):
    with svc.read() as session:
        return compute_stats(session, SETTINGS, TEAM, channel, since, until, seen_from=seen_from)


def test_median_and_nearest_rank_percentile():
    values = [timedelta(hours=h) for h in (24, 1, 10, 3, 24)]
    assert median(values) == timedelta(hours=10)
    assert percentile(values) == timedelta(hours=24)  # rank ceil(0.9 * 5) = 5
    assert median(values[:4]) == timedelta(hours=6.5)  # 1, 3, 10, 24: the mean of 3 and 10
    assert percentile([timedelta(minutes=m) for m in range(1, 11)]) == timedelta(minutes=9)  # rank 9 of 10
    assert median([]) is None and percentile([]) is None


def test_counts_times_reminders_and_people_of_one_week(svc, week):
    s = stats(svc)
    assert (s.created, s.claimed, s.done) == (
        9,
        7,
        4,
    )  # E1 E2 E5 E3 E4 B1 B2 B3 D1 · E1 E2 E5 E3 E4 B1 D1 · E1 E2 B1 D1
    kinds = {k.kind: k for k in s.kinds}
    assert kinds["event"].to_claim == Spread(5, 10 * H, 24 * H)  # 1h 3h 10h 24h 24h
    assert kinds["event"].to_done == Spread(2, 36 * H, 48 * H)  # 24h 48h
    assert kinds["blog_comment"].to_claim == Spread(2, 12.25 * H, 24 * H)  # 30m, D1 24h
    assert kinds["blog_comment"].to_done == Spread(2, 16.25 * H, 31 * H)  # B1 1h 30m, D1 31h
    assert s.to_claim == Spread(7, 10 * H, 24 * H)  # 0.5 1 3 10 24 24 24
    assert s.reminders == 5 and s.reminders_per_claim == pytest.approx(5 / 7)
    assert s.claims == [("U1", 3), ("U2", 2), ("U3", 2), ("U4", 1)]


def test_what_fell_through_the_cracks(svc, week):
    fell = [(f.id, f.why, f.on) for f in stats(svc).fell_through]
    ids = week.ids
    assert fell == [
        (ids["B2"], "unclaimed", date(2026, 11, 20)),
        (ids["B3"], "cancelled", date(2026, 11, 20)),
        (ids["E5"], "unfinished", date(2026, 11, 19)),
    ]


def test_longest_waits_by_owner_group(svc, week):
    groups = {g.group: g for g in stats(svc).groups}
    # Waits: E1 1h, E2 3h, E5 24h, E3 10h, E4 24h, B1 30m, D1 24h, and still waiting B2 3d 21h, O1 22d;
    # the longest tenth of nine is one wait: O1, whose kind has no owner group.
    assert groups[None].among_longest == 1 and groups[None].waits == 4 and groups[None].longest == timedelta(days=22)
    assert groups["S1EVENT"].among_longest == 0 and groups["S1EVENT"].waits == 5
    assert groups["S1EVENT"].longest == 24 * H and groups["S1EVENT"].kinds == ("event",)


def test_scope_a_channel_the_workspace_and_private_channels(svc, week):
    assert stats(svc, channel=None).created == 10  # C2 too; not the private channel's P1
    assert stats(svc, channel=None, seen_from=PRIVATE).created == 11  # from inside it, P1 counts
    assert stats(svc, channel=ELSEWHERE, seen_from=ELSEWHERE).claims == [("U5", 1)]


def test_week_over_week_and_the_weekly_lines(svc, week):
    this, before = stats(svc), stats(svc, since=SINCE - timedelta(days=7), until=SINCE)
    assert (before.created, before.claimed, before.done) == (1, 1, 0)
    lines = "\n".join(weekly_lines(this, before))
    assert "Created 9 (+8) · claimed 7 (+6) · done 4 (+4)" in lines
    assert "Median time to claim: 10h (was 2d)" in lines  # X waited 48h
    assert "Fell through the cracks: 3 (+3)" in lines
    assert "Claims shared by 4 people; the most by one person: 3 of 8" in lines
    assert "<@" not in lines and "subteam" not in lines  # in the channel, it names and pings no one


def test_the_stats_message(svc, week):
    said = "\n".join(b.text.text for b in build_stats(stats(svc), 7, SETTINGS).blocks)
    assert "9 follow-ups came in; 7 were claimed, usually within 10h; 4 were done." in said
    assert "3 follow-ups fell through the cracks" in said and "_Blog comment_" in said and "Task B2" in said
    assert "<@U1> took the most (3); 4 people took some." in said
    assert "Blog comment follow-ups waited longest for an owner: usually 12h 15m." in said
    assert "Most of the longest waits were blog comment follow-ups, which no user group is asked about" in said
    assert "Dibs sent 5 reminders before they were claimed." in said and "`/dibs stats detail`" in said
    assert "median" not in said and "percentile" not in said and "per claimed task" not in said
    message = build_stats(stats(svc), 7, SETTINGS, detail=True)
    text = str(message.as_kwargs())
    assert "*9* created · *7* claimed · *4* done" in text
    assert "Fell through the cracks: 3" in text and "Task B2" in text and "20 Nov passed unclaimed" in text
    assert "• Event: 10h / 1d (5) · done 1d 12h / 2d (2)" in text
    assert "<@U1> 3 · <@U2> 2" in text and "<!subteam^S1EVENT>" in text
    assert "0.7 per claimed task (5 reminders before 7 claims)" in text
    assert len(message.blocks) <= 50


def test_eight_weeks_for_the_chart(svc, week):
    with svc.read() as session:
        series = weekly_series(session, SETTINGS, TEAM, CHANNEL, UNTIL)
    assert len(series) == 8 and series[0].start == date(2026, 9, 28) and series[-1].start == date(2026, 11, 16)
    assert series[-1].to_claim == {"event": 10.0, "blog_comment": 12.25} and series[-1].fell_through == 3
    assert series[-2].to_claim == {"event": 48.0} and series[-2].fell_through == 0
    assert all(not w.to_claim for w in series[:-2])

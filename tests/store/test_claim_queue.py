"""A hot task on PostgreSQL: a claim that comes in while another is being seated on the same task is kept
at once and seated right after it, in arrival order; its claimant hears where they stand where they claimed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import select

from bot.delivery.outbox import ReplyTo
from bot.services import Services, replies
from bot.services.seater import Seater
from bot.settings import Settings
from bot.tasks.errors import DibsError, TaskNotFound
from store.enums import ClaimRole, Via
from store.models import Claim, ClaimRequest, OutboxPost
from store.queries.claim_requests import CLAIMS
from tests.store.test_claim_rules import new_task
from tests.support.helpers import wait_until
from tests.support.services import complete_task, services_on

TEAM, CHANNEL, THREAD = "T111", "C100", "1715000000.000001"


@pytest.fixture
def svc(pg_url: str) -> Iterator[Services]:
    with services_on(pg_url, Settings()) as services:
        yield services


class Busy:
    """Another process seating a claim on a task: it holds the task's claims until `done()`."""

    def __init__(self, url: str) -> None:
        self.connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

    def seating(self, task_id: int) -> None:
        self.connection.execute("SELECT pg_advisory_xact_lock(%s, %s)", (CLAIMS, task_id))

    def done(self) -> None:
        self.connection.rollback()


@pytest.fixture
def other(pg_url: str) -> Iterator[Busy]:
    busy = Busy(pg_url)
    yield busy
    busy.connection.close()


def claim(svc: Services, task_id: int, user: str, **where: object) -> replies.Outcome:
    where = where or {"reply_to": ReplyTo(TEAM, CHANNEL, user, THREAD), "seen_from": CHANNEL}
    return replies.claim(svc, TEAM, task_id, user, Via.BUTTON, **where)  # type: ignore[arg-type]


def seats(svc: Services) -> list[tuple[str, str]]:
    with svc.read() as session:
        return [(c.user_id, c.role) for c in session.scalars(select(Claim).order_by(Claim.id))]


def queued(svc: Services) -> list[str]:
    with svc.read() as session:
        return list(session.scalars(select(ClaimRequest.user_id).order_by(ClaimRequest.id)))


def notes(svc: Services) -> dict[str, str]:
    with svc.read() as session:
        rows = session.scalars(select(OutboxPost).where(OutboxPost.method == "chat.postEphemeral")).all()
        return {json.loads(row.args or "{}")["user"]: row.text for row in rows}


def test_claims_that_come_in_while_one_is_seated_are_kept_then_seated_in_arrival_order(svc, other):
    task = new_task(svc, slots=2)
    other.seating(task.id)
    answers = [claim(svc, task.id, user) for user in ("U1", "U2", "U3")]
    assert all(a.quiet and "in a moment" in a.reply for a in answers)  # a click's ack says nothing more
    assert seats(svc) == [] and queued(svc) == ["U1", "U2", "U3"]  # kept before the ack, not seated
    other.done()
    assert replies.seat_queued(svc) == 3
    assert seats(svc) == [("U1", ClaimRole.OWNER), ("U2", ClaimRole.OWNER), ("U3", ClaimRole.WAITING)]
    told = notes(svc)
    assert "You own #1 now" in told["U1"] and "number 1 on the waitlist" in told["U3"]
    assert queued(svc) == []


def test_a_claim_after_queued_ones_waits_its_turn_behind_them(svc, other):
    task = new_task(svc, slots=1)
    other.seating(task.id)
    claim(svc, task.id, "U1")
    other.done()
    late = claim(svc, task.id, "U2")  # nobody holds the task now, but U1 came first
    assert "in a moment" in late.reply and queued(svc) == ["U1", "U2"]
    replies.seat_queued(svc)
    assert seats(svc) == [("U1", ClaimRole.OWNER), ("U2", ClaimRole.WAITING)]


def test_a_slash_command_is_answered_at_once_and_told_the_outcome_in_the_channel(svc, other):
    task = new_task(svc, slots=1)
    other.seating(task.id)
    answer = replies.claim(svc, TEAM, task.id, "U1", Via.COMMAND, seen_from=CHANNEL)
    assert not answer.quiet and "I'll tell you here in a moment" in answer.reply
    other.done()
    replies.seat_queued(svc)
    assert "You own #1 now" in notes(svc)["U1"]


def test_a_claim_refused_by_the_time_its_turn_comes_says_why(svc, other):
    task = new_task(svc, slots=1)
    other.seating(task.id)
    claim(svc, task.id, "U1")
    other.done()
    complete_task(svc, TEAM, task.id, "UPOSTER", Via.BUTTON)
    replies.seat_queued(svc)
    assert seats(svc) == [] and "already done" in notes(svc)["U1"] and queued(svc) == []


def test_what_would_refuse_a_claim_refuses_it_before_it_is_kept(svc, other):
    task = new_task(svc, slots=1)
    other.seating(task.id)
    with pytest.raises(DibsError, match="has no roles"):
        replies.claim(svc, TEAM, task.id, "U1", Via.COMMAND, seen_from=CHANNEL, seat="lead")
    with pytest.raises(TaskNotFound, match="There is no task #99"):
        claim(svc, 99, "U1")
    assert queued(svc) == []


def test_a_claim_from_the_home_tab_waits_its_turn_instead_of_queueing(svc, other):
    task = new_task(svc, slots=1)
    other.seating(task.id)
    claim(svc, task.id, "U1")
    other.done()
    answer = claim(svc, task.id, "U2", reply_to=None, seen_from=None)  # nowhere to say "in a moment"
    assert "number 1 on the waitlist" in answer.reply
    assert seats(svc) == [("U1", ClaimRole.OWNER), ("U2", ClaimRole.WAITING)]


def test_the_seater_seats_what_was_kept_as_soon_as_the_task_is_free(svc, other):
    task = new_task(svc, slots=1)
    seater = Seater(svc)
    seater.start()
    try:
        other.seating(task.id)
        claim(svc, task.id, "U1")  # its commit rings the seater, which waits for the other process
        other.done()
        wait_until(lambda: seats(svc) == [("U1", ClaimRole.OWNER)], timeout=10, what="U1 seated")
    finally:
        seater.stop()

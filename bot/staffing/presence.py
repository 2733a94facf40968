"""Reading who is away from Slack into `people`, at most hourly a person, and what follows from it.

Requests never call Slack: they read the rows (`passed_over`, inside an offer's transaction). Slack is read where
it may be: the nominee's question as it is sent (`Reader`: users.info for a row older than an hour, dnd.teamInfo
for all the candidates in one call), and `refresh_people`, the background job that keeps the people an offer may
pass over fresh and tells those who are back what passed them by (`WelcomeBack`). A `user_change` event writes
its user's row straight from the event (`save_user`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.failures import failure_of
from bot.slack.jobs import per_workspace
from bot.staffing.availability import Away, AwayRules, Presence, away
from bot.tasks import rules
from bot.tasks.changes import WelcomeBack
from bot.tasks.tx import Tx
from store.enums import Via
from store.models import Claim, Task
from store.queries.people import (
    note_away,
    people_in_line,
    people_of,
    save_person,
    stale_people,
    tasks_by_id,
    untold,
    untold_on,
    waiting_among,
)

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from bot.services import Services

log = logging.getLogger(__name__)
FRESH = timedelta(hours=1)  # a person is read from Slack at most this often (the rate tiers)
DND_BATCH = 50  # users in one dnd.teamInfo call
REFRESH_EVERY = timedelta(minutes=10)
AT_MOST = 1000  # people refreshed in one run
LINE_CHUNK = 20  # people of a line read at once when looking for the first who is not away


def _moment(seconds: Any) -> datetime | None:
    """Slack's epoch seconds (0 or nothing: none)."""
    try:
        value = float(seconds or 0)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(value, UTC) if value > 0 else None


def profile_values(user: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What a user object (users.info's, or a `user_change` event's) says of availability, as the row's values."""
    found = user.get("profile")
    profile: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "status_emoji": str(profile.get("status_emoji") or "")[:100] or None,
        "status_text": str(profile.get("status_text") or "")[:200] or None,
        "status_expiration": _moment(profile.get("status_expiration")),
        "tz": str(user.get("tz") or "")[:64] or None,
        "profile_read_at": now,
    }


def save_user(tx: Tx, team_id: str, user: dict[str, Any]) -> str | None:
    """A `user_change` event's user: their row from the event alone, no call. Their id, or None if it has none."""
    user_id = str(user.get("id") or "")
    if not user_id:
        return None
    save_person(tx.session, team_id, user_id, **profile_values(user, tx.now))
    return user_id


class Reader:
    """Who is away among some people of one workspace, read from the rows, and from Slack for rows an hour old."""

    def __init__(self, client: WebClient, svc: Services, team_id: str, now: datetime) -> None:
        self.client, self.svc, self.team_id, self.now = client, svc, team_id, now
        self.rules = AwayRules.of(svc.settings_for(team_id))
        self.values: dict[str, dict[str, Any]] = {}
        self.known: dict[str, Presence] = {}  # the rows as `preload` read them (until `save`)
        self.stale: set[str] = set()  # of those, whose profile is an hour old

    def read_dnd(self, user_ids: Sequence[str]) -> None:
        """Do Not Disturb for those whose is an hour old: one dnd.teamInfo call per 50."""
        with self.svc.read() as session:
            stale = stale_people(session, self.team_id, user_ids, self.now - FRESH, "dnd_read_at")
        for start in range(0, len(stale), DND_BATCH):
            batch = stale[start : start + DND_BATCH]
            try:
                answer = self.client.dnd_teamInfo(users=",".join(batch)).get("users") or {}
            except (SlackApiError, SlackClientError, OSError) as error:
                if not failure_of(error).permanent:
                    raise
                log.info("could not read Do Not Disturb (%s); counting nobody as on it", error)
                return
            for user_id in batch:
                told = answer.get(user_id)
                dnd: dict[str, Any] = told if isinstance(told, dict) else {}
                self.values.setdefault(user_id, {}).update(
                    dnd_enabled=bool(dnd.get("dnd_enabled")), dnd_start=_moment(dnd.get("next_dnd_start_ts")),
                    dnd_end=_moment(dnd.get("next_dnd_end_ts")), dnd_read_at=self.now,
                )  # fmt: skip

    def preload(self, user_ids: Sequence[str]) -> None:
        """The rows of these people, and whose profile is an hour old, read at once for `away` (one session)."""
        if not user_ids:
            return
        with self.svc.read() as session:
            rows = people_of(session, self.team_id, user_ids)
            stale = stale_people(session, self.team_id, user_ids, self.now - FRESH, "profile_read_at")
            self.known.update({user_id: Presence.of(rows.get(user_id)) for user_id in user_ids})
        self.stale = (self.stale - set(user_ids)) | set(stale)

    def read_profiles(self, user_ids: Sequence[str]) -> None:
        """users.info for those whose row is an hour old (one read of the rows for all of them)."""
        with self.svc.read() as session:
            stale = stale_people(session, self.team_id, user_ids, self.now - FRESH, "profile_read_at")
        for user_id in stale:
            self._read_profile(user_id)

    def _read_profile(self, user_id: str) -> None:
        """users.info (a person Slack does not know is left as they were)."""
        try:
            user = self.client.users_info(user=user_id).get("user") or {}
        except (SlackApiError, SlackClientError, OSError) as error:
            if not failure_of(error).permanent:
                raise  # a 429 or an outage: what waits on it is tried again
            log.info("could not read the status of %s (%s); counting them as present", user_id, error)
            return
        self.values.setdefault(user_id, {}).update(profile_values(user, self.now))

    def save(self) -> None:
        """Keep what was read (one short transaction)."""
        if self.values:
            with self.svc.transaction(now=self.now) as tx:
                for user_id, values in self.values.items():
                    save_person(tx.session, self.team_id, user_id, **values)
            self.values, self.known, self.stale = {}, {}, set()

    def away(self, user_id: str) -> Away | None:
        """Why the person is away now (their profile read from Slack first if an hour old), or None; `save` keeps
        what was read. Their row comes from `preload` (read here if they were not preloaded)."""
        if user_id not in self.known:
            self.preload([user_id])
        if user_id in self.stale:
            self._read_profile(user_id)
        return away(_merged(self.known[user_id], self.values.get(user_id, {})), self.now, self.rules)


def away_of(tx: Tx, team_id: str, user_ids: Sequence[str]) -> dict[str, Away | None]:
    """Why each of these people is away, from what Dibs keeps (a request's transaction: no Slack call), or None."""
    checks = AwayRules.of(tx.settings_for(team_id))
    rows = people_of(tx.session, team_id, user_ids)
    return {user_id: away(Presence.of(rows.get(user_id)), tx.now, checks) for user_id in user_ids}


def away_now(tx: Tx, team_id: str, user_id: str) -> Away | None:
    """Why the person is away, from what Dibs keeps (a request's transaction: no Slack call), or None."""
    return away_of(tx, team_id, [user_id])[user_id]


def _merged(known: Presence, read: dict[str, Any]) -> Presence:
    """What the row said, with what was just read over it."""
    fields: dict[str, Any] = {
        key: read[key] for key in ("status_expiration", "tz", "dnd_enabled", "dnd_start", "dnd_end") if key in read
    }
    fields.update({key: read[key] or "" for key in ("status_emoji", "status_text") if key in read})
    return replace(known, **fields)


def passed_over(tx: Tx, task: Task, line: Sequence[Claim], via: Via) -> tuple[Claim, list[tuple[Claim, Away]]]:
    """The first in `line` who is not away (from the rows only: this is a request's transaction), and the away
    people before them, each audited and noted to be told once back. When everyone is away, the first is asked
    anyway (the offer waits for them) and nobody is passed over. Rows are read a few at a time: the first in line
    is usually there."""
    passed: list[tuple[Claim, Away]] = []
    for start in range(0, len(line), LINE_CHUNK):
        chunk = line[start : start + LINE_CHUNK]
        whys = away_of(tx, task.team_id, [claim.user_id for claim in chunk])
        for claim in chunk:
            why = whys[claim.user_id]
            if why is None:
                _note_passed(tx, task, passed, via)
                return claim, passed
            passed.append((claim, why))
    return line[0], []


def _note_passed(tx: Tx, task: Task, passed: list[tuple[Claim, Away]], via: Via) -> None:
    """Each person passed over is told once back, and audited once while away (a refill asks again and again)."""
    if not passed:
        return
    noted = untold_on(tx.session, task.team_id, task.id, [claim.user_id for claim, _ in passed])
    for claim, why in passed:
        if claim.user_id not in noted:
            note_away(tx.session, task.team_id, claim.user_id, task.id, why.to_them, tx.now)
            rules.audit(tx.session, task, claim.user_id, "passed_over", via, tx.now, detail=why.words)


def welcome_back(tx: Tx, team_id: str, user_ids: Sequence[str]) -> list[str]:
    """Those of these people who are back (not away by their rows) hear once what passed them by (`WelcomeBack`);
    returns who."""
    notices = untold(tx.session, team_id, user_ids)
    if not notices:
        return []
    whys = away_of(tx, team_id, sorted({n.user_id for n in notices}))
    back = [user_id for user_id, why in whys.items() if why is None]
    task_ids = sorted({n.task_id for n in notices if whys[n.user_id] is None})
    still = waiting_among(tx.session, team_id, back, task_ids)  # (person, task) still waiting in line
    tasks = tasks_by_id(tx.session, task_ids)
    told = []
    for user_id in back:
        items = []
        for notice in (n for n in notices if n.user_id == user_id):
            notice.told_at = tx.now
            task = tasks.get(notice.task_id)
            if task is not None:
                items.append((task, notice.what, (user_id, notice.task_id) in still))
        if items:
            tx.changed(WelcomeBack(team_id, user_id, tuple(items)))
            told.append(user_id)
    return told


def refresh_people(svc: Services, client_for: Callable[[str], WebClient | None], now: datetime | None = None) -> int:
    """The background job: read the people an offer may pass over (at most hourly each), then tell those who are
    back what passed them by. Returns how many were told."""
    moment = now or svc.now()
    with svc.read() as session:
        wanted = people_in_line(session, AT_MOST)

    def one(team_id: str, pairs: list[tuple[str, str]]) -> int:
        users = [user for _, user in pairs]
        client = client_for(team_id)
        if client is not None:
            reader = Reader(client, svc, team_id, moment)
            try:
                reader.read_dnd(users)
                reader.read_profiles(users)
            except (SlackApiError, SlackClientError, OSError) as error:
                log.warning("could not read who is away in %s now (%s); trying again later", team_id, error)
            reader.save()
        with svc.transaction(now=moment) as tx:
            return len(welcome_back(tx, team_id, users))

    return per_workspace(wanted, lambda pair: pair[0], one)


def schedule_people(scheduler: BaseScheduler, svc: Services, client_for: Callable[[str], WebClient | None]) -> None:
    """Run `refresh_people` every ten minutes, the first a minute after start."""
    scheduler.add_job(
        refresh_people, "interval", seconds=REFRESH_EVERY.total_seconds(), args=[svc, client_for], id="people",
        next_run_time=svc.now() + timedelta(minutes=1), coalesce=True, max_instances=1, replace_existing=True,
    )  # fmt: skip

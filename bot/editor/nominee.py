"""`rotation: fair`: a task still unclaimed at `nag.escalate_after` gets one person asked privately.

The nominee comes from the kind's owner group (its members, from Slack), or without one from the
people who took a task in the channel lately: the one with the fewest claims over `nominee.lookback`,
skipping whoever passed on this task, is over today's noise budget, or is away (`bot.staffing.availability`:
an away status, Do Not Disturb, outside their working hours). "Not me" moves on to the next. The thread shows
who was asked, never who declined; the audit trail keeps both, and who was skipped as away and why. The
question says why them: "You have taken the fewest follow-ups in the last 30 days (1); <@U4> is out of office."

Choosing happens when the question is sent (the courier's Prepare for Purpose.NOMINATE), because it
reads Slack (the group's members; people's status and Do Not Disturb, kept an hour in `people`); the planner
only queues the question.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.delivery.calls import Call
from bot.delivery.outbox import Open, queue_call
from bot.editor.words import linked_title
from bot.settings.labels import kind_tag
from bot.slack.blocks import with_buttons
from bot.slack.ids import ActionId
from bot.slack.text import age, mention, plural
from bot.staffing.availability import Away
from bot.staffing.presence import Reader
from bot.tasks import rules
from bot.tasks.claimers import claimer_group
from bot.tasks.lookup import locked_task
from bot.tasks.model import snapshot
from bot.tasks.routing import kind_for
from bot.timing import local_day
from store.enums import Purpose, TaskStatus, Via
from store.models import Task
from store.queries.groups import members_of
from store.queries.outbox import count_ping, pings_on
from store.queries.stats import actors_of, claims_per_person, recent_claimers
from store.queries.tasks import load_task

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
MOST_AWAY_NAMED = 3  # away people named in the question; the rest are counted


def choose_nominee(
    candidates: Sequence[str],
    claims: Mapping[str, int],
    skip: Collection[str],
    away: Callable[[str], Away | None],
) -> tuple[str | None, list[tuple[str, Away]]]:
    """The candidate with the fewest claims (ties by id) who is not in `skip` and not `away`, and the away
    people who came before them, with why.

    `away` is asked in that order and only until someone is found: each answer may cost a Slack call.
    """
    passed: list[tuple[str, Away]] = []
    for user_id in sorted(set(candidates) - set(skip), key=lambda u: (claims.get(u, 0), u)):
        why = away(user_id)
        if why is None:
            return user_id, passed
        passed.append((user_id, why))
    return None, passed


def why_them(claims: int, lookback: timedelta, passed: Sequence[tuple[str, Away]]) -> str:
    """`You have taken the fewest follow-ups in the last 30 days (1); <@U4> is out of office until Fri.`"""
    text = f"You have taken the fewest follow-ups {_over(lookback)} ({claims})"
    return text + (f"; {who_was_away(passed)}." if passed else ".")


def who_was_away(passed: Sequence[tuple[str, Away]]) -> str:
    """`<@U4> is out of office until Fri; <@U5> is on Do Not Disturb until 15:00; 2 others away`."""
    shown = [f"{mention(user)} is {why.words}" for user, why in passed[:MOST_AWAY_NAMED]]
    more = len(passed) - MOST_AWAY_NAMED
    return "; ".join(shown) + (f"; {plural(more, 'other')} away" if more > 0 else "")


def _over(lookback: timedelta) -> str:
    """`in the last 30 days`, `in the last day`, `in the last 12 hours`."""
    if lookback >= timedelta(days=1):
        days = round(lookback / timedelta(days=1))
        return "in the last day" if days == 1 else f"in the last {days} days"
    hours = max(round(lookback / timedelta(hours=1)), 1)
    return "in the last hour" if hours == 1 else f"in the last {hours} hours"


def queue_nomination(tx: Open, task: Task, round_: str) -> bool:
    """Ask for a nominee for `task` (chosen when sent), once per `round_` of the time it opened: each
    reminder while nobody is asked (someone may be back by then), each "Not me"."""
    opened = (task.open_since or task.created_at).isoformat()
    return queue_call(
        tx, team_id=task.team_id, channel_id=task.channel_id, purpose=Purpose.NOMINATE, task_id=task.id,
        args={"task_id": task.id}, dedupe_key=f"nominate:{task.id}:{opened}:{round_}",
    )  # fmt: skip


def _candidates(
    client: WebClient, group: str | None, claimers: frozenset[str] | None, recent: Sequence[str]
) -> list[str]:
    """The owner group's members (from Slack), else the claimer group's, else who took tasks here lately; only
    those who may claim (`claimers`, None: anyone)."""
    if group is not None:
        pool = [str(u) for u in client.usergroups_users_list(usergroup=group).get("users") or []]
    else:
        pool = sorted(claimers) if claimers is not None else list(recent)
    return [u for u in pool if claimers is None or u in claimers]


def nominee_call(client: WebClient, svc: Services, call: Call, now: datetime) -> Call | None:
    """Choose the nominee and make the question a DM to them; None when the task needs no one any more
    or nobody can be asked."""
    task_id = int(call.kwargs["task_id"])
    with svc.read() as session:
        settings = svc.settings_for(call.team_id, session)
        task = load_task(session, call.team_id, task_id)
        if task is None or task.status != TaskStatus.OPEN or task.nominee:
            return None
        kind = kind_for(session, settings, call.team_id, task.kind)
        recent = recent_claimers(session, call.team_id, task.channel_id, now - settings.nominee.lookback)
        passed = set(actors_of(session, task_id, "passed"))
        poster = task.posted_by
        group = claimer_group(session, settings, call.team_id, task.kind)
        claimers = members_of(session, call.team_id, group) if group else None  # not the admins: they aren't asked
    owners = kind.owner_group if kind else None
    candidates = [u for u in _candidates(client, owners, claimers, recent) if u != poster]
    with svc.read() as session:
        claims = claims_per_person(session, call.team_id, now - settings.nominee.lookback, candidates)
        pinged = pings_on(session, call.team_id, candidates, local_day(now, settings))
    busy = {u for u, n in pinged.items() if n >= settings.nag.max_pings_per_day}
    reader = Reader(client, svc, call.team_id, now)
    try:
        askable = [u for u in candidates if u not in passed | busy]
        reader.preload(askable)  # their rows, read once for `reader.away`
        reader.read_dnd(askable)  # one call for all of them
        chosen, away = choose_nominee(candidates, claims, passed | busy, reader.away)
    finally:
        reader.save()  # what was read is kept, even when a 429 makes the question wait
    if chosen is None:
        log.info("#%s: nobody to ask (of %s candidate(s), %s passed, %s over their budget, %s away)",
                 task_id, len(candidates), len(passed), len(busy), len(away))  # fmt: skip
        return None
    with svc.transaction(now=now) as tx:
        task = locked_task(tx.session, call.team_id, task_id)
        if task.status != TaskStatus.OPEN or task.nominee:
            return None
        task.nominee, task.nominee_note = chosen, who_was_away(away)[:300] or None
        for user_id, why in away:  # the audit says why they were not asked
            rules.audit(
                tx.session, task, user_id, "skipped", Via.SCHEDULE, now, detail=f"{mention(user_id)} is {why.words}"
            )
        rules.record(tx, task, "schedule", "nominated", Via.SCHEDULE, detail=chosen)
        count_ping(tx.session, call.team_id, chosen, local_day(now, settings), settings.nag.max_pings_per_day)
        shown = snapshot(task)
    text = (
        f"Could you take *#{shown.id}* {kind_tag(settings, shown.kind)} · {linked_title(shown)} "
        f"in <#{shown.channel_id}>? "
        f"It has waited {age(task.open_since or task.created_at, now)} for an owner. "
        + why_them(claims.get(chosen, 0), settings.nominee.lookback, away)
    )
    choice = with_buttons(
        text, str(task_id), ("Take it", ActionId.TAKE_NOMINATION), ("Not me", ActionId.PASS_NOMINATION)
    )
    kwargs = {"channel": chosen, **choice.as_kwargs(), "unfurl_links": False}
    return replace(call, kwargs=kwargs, recipient=chosen)


def pass_nomination(svc: Services, team_id: str, task_id: int, user_id: str) -> str:
    """ "Not me": the next person is asked; the answer for the person who passed."""
    with svc.transaction() as tx:
        task = locked_task(tx.session, team_id, task_id)
        if task.status != TaskStatus.OPEN:
            return f"#{task_id} does not need anyone now. Thank you anyway!"
        if task.nominee != user_id:
            return f"Someone else has been asked about #{task_id} meanwhile. Thank you anyway!"
        passes = len(actors_of(tx.session, task_id, "passed"))
        task.nominee = None
        rules.record(tx, task, user_id, "passed", Via.BUTTON)
        queue_nomination(tx, task, f"passed{passes + 1}")
    return f"Thanks for saying so; I'll ask someone else about #{task_id}."

"""Making one outbox call: lease the row, check it is still wanted (and the channel's pace), make the call,
record the answer. Transport only: what a call's content is (drawn as it is sent) and what its answer means
(store a ts, give up on a task) are hooks the editor registers per purpose (`Handling`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.orm import Session

from bot import metrics
from bot.delivery.failures import SENT, SKIPPED, Failure, Result, failure_of, next_try
from bot.delivery.jobs import Call, call_of
from bot.delivery.outbox import Open
from bot.delivery.pacing import reserve_channel
from bot.logs import log_context
from store.enums import PostState
from store.models import OutboxPost
from store.queries.outbox import finish_post, lease_post

log = logging.getLogger(__name__)


# Calls whose content is made as they are sent (a thread reply, a Home tab, a chart): a function that turns the
# row's call into the call to make, or None when there is nothing to send. It may read the database and call
# Slack itself (open a DM, look for a reply a crashed process posted); `now` is the courier's moment.
Prepare = Callable[[WebClient, Call, datetime], "Call | None"]
# What a row's end means (sent with Slack's `answer`, given up with `failure`, or neither: nothing to send), in
# the transaction that records it (the database's own, which has `session` and `now`); returns what to tell the
# person who asked (at the row's response_url).
Settle = Callable[[Any, OutboxPost, Call | None, dict[str, Any] | None, Failure | None], str | None]


@dataclass(frozen=True)
class Handling:
    """What the editor tells delivery about its purposes: how to draw a call as it is sent, what its end
    means, whether a row is still wanted when its turn comes, and which purposes keep the channel's pace."""

    prepare: Mapping[str, Prepare] = field(default_factory=dict)
    settle: Mapping[str, Settle] = field(default_factory=dict)
    wanted: Callable[[Session, OutboxPost], bool] = lambda session, row: True
    paced: frozenset[str] = frozenset()
    checked: frozenset[str] = frozenset()  # purposes `wanted` looks at: a row is read again before it goes
    default_settle: Settle | None = None

    def goes_as_written(self, call: Call) -> bool:
        """A call leased to this process as it was written goes without being read again: nothing decides
        at its turn whether it is still wanted, and it keeps no channel's pace."""
        return call.purpose not in self.paced and call.purpose not in self.checked

    def settled(
        self, tx: Open, row: OutboxPost, call: Call | None, answer: dict[str, Any] | None, failure: Failure | None
    ) -> str | None:
        """Run the purpose's settle hook (or the default one)."""
        hook = self.settle.get(row.purpose, self.default_settle)
        return hook(tx, row, call, answer, failure) if hook is not None else None


class Database(Protocol):
    """Where the outbox lives: write transactions at a moment, and reads."""

    def transaction(self, event: Any = None, now: datetime | None = None) -> AbstractContextManager[Any]: ...

    def read(self) -> AbstractContextManager[Session]: ...


def make_call(client: WebClient, call: Call) -> dict[str, Any]:
    """Make the call (each method spelled out, so the manifest test sees every one Dibs uses)."""
    match call.method:
        case "chat.postMessage":
            response = client.chat_postMessage(**call.kwargs)
        case "chat.postEphemeral":
            response = client.chat_postEphemeral(**call.kwargs)
        case "chat.update":
            response = client.chat_update(**call.kwargs)
        case "chat.delete":
            response = client.chat_delete(**call.kwargs)
        case "views.publish":
            response = client.views_publish(**call.kwargs)
        case "views.open":
            response = client.views_open(**call.kwargs)
        case "conversations.join":
            response = client.conversations_join(**call.kwargs)
        case "files.info":
            response = client.files_info(**call.kwargs)
        case "files.upload_v2":
            response = client.files_upload_v2(**call.kwargs)
        case _:
            raise ValueError(f"the outbox cannot make {call.method} calls")
    return dict(response.data) if isinstance(response.data, dict) else {}


def _finish(row: OutboxPost, state: PostState) -> None:
    row.state, row.lease_until, row.lease_owner = state, None, None


def _take(tx: Open, post_id: int, owner: str, lease: timedelta, handling: Handling) -> Call | Result:
    """Lease the row and decide whether it goes now; the call to make, or why not."""
    row = lease_post(tx.session, post_id, owner, tx.now)
    if row is None:
        return SKIPPED
    orphaned = row.lease_owner not in (None, owner)
    row.lease_until, row.lease_owner = tx.now + lease, owner
    if not handling.wanted(tx.session, row):
        _finish(row, PostState.CANCELLED)
        return SKIPPED
    if row.purpose in handling.paced and row.recipient is None:
        slot = reserve_channel(tx.session, row.team_id, row.channel_id, tx.now)
        if slot > tx.now:
            row.send_after, row.lease_until, row.lease_owner = slot, None, None
            return Result("later", until=slot)
    return call_of(
        row.id, row.team_id, row.channel_id, row.method, row.text, purpose=row.purpose, thread_ts=row.thread_ts,
        blocks=row.blocks, args=row.args, recipient=row.recipient, task_id=row.task_id, orphaned=orphaned,
    )  # fmt: skip


Ended = tuple[Result, str | None, str | None]  # what became of a row, a notice for the asker, where to send it


def _settle(tx: Open, post_id: int, handling: Handling, call: Call | None, answer: dict[str, Any] | None) -> Ended:
    """Record a row's end: sent (with Slack's answer) or, without one, nothing to send."""
    state = PostState.CANCELLED if answer is None else PostState.SENT
    ts = str(answer["ts"]) if answer is not None and answer.get("ts") else None
    row = finish_post(tx.session, post_id, state, tx.now, ts)
    if row is None:
        return SKIPPED, None, None
    return SKIPPED if answer is None else SENT, handling.settled(tx, row, call, answer, None), row.response_url


def _failed(tx: Open, post_id: int, handling: Handling, call: Call | None, failure: Failure) -> Ended:
    """Record a failed attempt: try again later, or (an answer retrying cannot change) give up."""
    row = tx.session.get(OutboxPost, post_id)
    if row is None:
        return SKIPPED, None, None
    row.attempts += 1
    row.last_error = failure.error[:200]
    row.lease_until = row.lease_owner = None
    if failure.permanent:
        row.state = PostState.FAILED
        gave_up = Result("gave_up", failure=failure, what=f"a {row.purpose} ({row.method})")
        return gave_up, handling.settled(tx, row, call, None, failure), row.response_url
    row.send_after = next_try(tx.now, row.attempts, failure)
    log.info("%s to %s failed (%s); trying again at %s", row.method, row.channel_id, failure.error, row.send_after)
    return Result("later", until=row.send_after, failure=failure), None, None


def tell_asker(response_url: str, text: str) -> None:
    """Post a private answer to a slash command's response_url (best effort: it may have expired)."""
    try:
        WebhookClient(response_url, timeout=5).send(text=text, response_type="ephemeral", replace_original=False)
    except (SlackClientError, OSError) as error:
        log.info("could not answer at the response_url: %s", error)


def send_post(
    client: WebClient, db: Database, post_id: int, owner: str, now: datetime, lease: timedelta, handling: Handling,
    ready: Call | None = None,
) -> Result:  # fmt: skip
    """Make one outbox call, if it is still due and still wanted (drawn as it is sent where the purpose says).
    `ready`: the call as the transaction that wrote it (and leased it to this process) handed it over."""
    if ready is not None and handling.goes_as_written(ready):
        taken: Call | Result = ready
    else:
        with db.transaction(now=now) as tx:
            taken = _take(tx, post_id, owner, lease, handling)
    if isinstance(taken, Result):
        return taken
    with log_context(team_id=taken.team_id, task_id=taken.task_id):
        return _send(client, db, post_id, taken, now, handling)


def _send(client: WebClient, db: Database, post_id: int, taken: Call, now: datetime, handling: Handling) -> Result:
    """Draw the call, make it, and record the answer (counted in `metrics`: method, outcome, how long)."""
    call: Call | None = None
    started = time.perf_counter()
    try:
        prepare = handling.prepare.get(taken.purpose)
        call = prepare(client, taken, now) if prepare is not None else taken
        answer = None if call is None else call.made if call.made is not None else make_call(client, call)
    except Exception as error:  # Slack's answer, the network, or a drawing that failed: tried again (or given up)
        if not isinstance(error, (SlackApiError, SlackClientError, OSError)):
            log.exception("could not make the %s call of outbox row %s", taken.purpose, post_id)
        failure = failure_of(error)
        with db.transaction(now=now) as tx:
            result, notice, url = _failed(tx, post_id, handling, call, failure)
        outcome = "gave_up" if result.outcome == "gave_up" else "rate_limited" if failure.retry_after else "error"
        metrics.slack_call((call or taken).method, outcome, time.perf_counter() - started)
    else:
        if call is not None:
            metrics.slack_call(call.method, "ok", time.perf_counter() - started)
        with db.transaction(now=now) as tx:
            result, notice, url = _settle(tx, post_id, handling, call, answer)
    if notice and url:
        tell_asker(url, notice)
    return result

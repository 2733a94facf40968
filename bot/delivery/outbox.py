"""The outbox: every Web API call Dibs owes Slack, recorded in the transaction that decided it.

Nothing here talks to Slack: the courier (`bot.delivery.courier`) makes the calls after the
commit. A row's `dedupe_key` is unique, so two processes planning the same reminder make one row.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bot.delivery.jobs import Job, call_of, lease_of, note
from bot.slack.blocks import TEXT_LIMIT, Message
from store.enums import PostState, Purpose
from store.queries import outbox as queries
from store.queries.home import homes_waiting

DEDUPE_KEY_LIMIT = 120


@dataclass(frozen=True)
class ReplyTo:
    """Where to tell the person who acted something only they should see: their channel (and thread)."""

    team_id: str
    channel_id: str
    user_id: str
    thread_ts: str | None = None


class Open(Protocol):
    """An open transaction and its moment: a `Tx`, or `At` where only those two are at hand."""

    @property
    def session(self) -> Session: ...

    @property
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class At:
    """A session and the moment its transaction runs at."""

    session: Session
    now: datetime


def queue_call(
    tx: Open,
    *,
    team_id: str,
    channel_id: str,
    purpose: Purpose,
    method: str = "chat.postMessage",
    text: str = "",
    dedupe_key: str | None = None,
    task_id: int | None = None,
    thread_ts: str | None = None,
    recipient: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    args: dict[str, Any] | None = None,
    response_url: str | None = None,
    state: PostState = PostState.PENDING,
    send_after: datetime | None = None,
    hint: Any = None,
) -> bool:
    """Record one call to make; a second one with the same `dedupe_key` is ignored (False). `hint`: what the
    call's drawing may use instead of reading the database again (for this process's courier)."""
    due = send_after or tx.now
    lease = lease_of(tx.session, tx.now, due) if state == PostState.PENDING else None
    stored_text, stored_blocks = text[:TEXT_LIMIT], json.dumps(blocks) if blocks else None
    stored_args = json.dumps(args) if args else None
    post_id = queries.add_post(
        tx.session,
        team_id=team_id,
        channel_id=channel_id,
        text=stored_text,
        purpose=purpose,
        method=method,
        dedupe_key=(dedupe_key or f"{purpose}:{uuid.uuid4().hex}")[:DEDUPE_KEY_LIMIT],
        task_id=task_id,
        thread_ts=thread_ts,
        recipient=recipient,
        blocks=stored_blocks,
        args=stored_args,
        response_url=response_url,
        state=state,
        created_at=tx.now,
        send_after=due,
        attempts=0,
        lease_owner=lease[0] if lease else None,
        lease_until=lease[1] if lease else None,
    )
    if post_id is not None and state == PostState.PENDING and due <= tx.now:
        ready = None
        if lease is not None:
            ready = call_of(
                post_id, team_id, channel_id, method, stored_text, purpose=purpose, thread_ts=thread_ts,
                blocks=stored_blocks, args=stored_args, recipient=recipient, task_id=task_id, hint=hint,
            )  # fmt: skip
        note(tx.session, Job(post_id, team_id, channel_id, ready))
    return post_id is not None


def queue_note(tx: Open, to: ReplyTo, text: str | Message, dedupe_key: str | None = None) -> bool:
    """A private note (ephemeral) to the person who acted, in their channel (a message: with its buttons);
    with `dedupe_key`, once (False: it was queued before)."""
    args: dict[str, Any] = {"user": to.user_id}
    if to.thread_ts:
        args["thread_ts"] = to.thread_ts
    message = text if isinstance(text, Message) else None
    return queue_call(
        tx, team_id=to.team_id, channel_id=to.channel_id, purpose=Purpose.NOTE, method="chat.postEphemeral",
        text=message.text if message else str(text), args=args,
        blocks=[b.to_dict() for b in message.blocks] if message else None, dedupe_key=dedupe_key,
    )  # fmt: skip


def queue_dm(
    tx: Open, team_id: str, user_id: str, text: str | Message, task_id: int | None = None,
    purpose: Purpose = Purpose.DM, dedupe_key: str | None = None,
) -> None:  # fmt: skip
    """A direct message (it lands in the person's Messages tab with Dibs); a message: with its buttons."""
    message = text if isinstance(text, Message) else None
    queue_call(
        tx, team_id=team_id, channel_id=user_id, recipient=user_id, purpose=purpose, task_id=task_id,
        text=message.text if message else str(text), blocks=[b.to_dict() for b in message.blocks] if message else None,
        dedupe_key=dedupe_key,
    )  # fmt: skip


def queue_home(tx: Open, team_id: str, user_id: str, notice: str | None = None) -> None:
    """Publish the person's Home tab (drawn as it is sent); not again while one is queued and not yet drawn,
    unless it carries a notice (what their click did)."""
    if notice is None and user_id in homes_waiting(tx.session, team_id, [user_id]):
        return
    if notice is not None:
        queries.cancel_waiting_homes(tx.session, team_id, user_id)  # this one shows all they would
    queue_call(
        tx, team_id=team_id, channel_id=user_id, recipient=user_id, purpose=Purpose.HOME, method="views.publish",
        args={"user_id": user_id, **({"notice": notice} if notice else {})},
    )  # fmt: skip


def queue_message(tx: Open, team_id: str, channel_id: str, message: Message, purpose: Purpose, **extra: Any) -> bool:
    """A channel post of `message` (its text and blocks)."""
    blocks = [b.to_dict() for b in message.blocks]
    return queue_call(
        tx, team_id=team_id, channel_id=channel_id, purpose=purpose, text=message.text, blocks=blocks, **extra
    )

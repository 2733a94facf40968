"""The "Track with Dibs" message shortcut: any message (one that matched no keyword, a bot's post, a
reply) becomes a task, its ownership thread under that message, as if it had been a matching post."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.delivery.outbox import ReplyTo, queue_call, queue_note
from bot.editor.task_views import build_track_modal
from bot.installs.phrases import carried, remember
from bot.intake.classify import classify, title_from
from bot.intake.posts import words_of
from bot.slack.payloads import blank, track_metadata
from bot.tasks.errors import DibsError
from bot.tasks.kinds import kind_named
from bot.tasks.model import TaskSnapshot
from bot.tasks.rules import check_due_date
from bot.tasks.service import NewTask, create_task
from bot.timing import local_day
from store.enums import Purpose, Via
from store.queries.channels import watched
from store.queries.tasks import task_id_by_post

if TYPE_CHECKING:
    from bot.services import Services

FORM_UNREADABLE = "I could not read this form; use Track with Dibs on the message again."
log = logging.getLogger(__name__)
TRY_AGAIN = "I could not open the Track with Dibs form in time; please use the shortcut again."


def start_tracking(svc: Services, body: dict[str, Any]) -> None:
    """The shortcut was used: the form (views.open, from the outbox), or a note that the message has a task."""
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    channel_id, message = body["channel"]["id"], body.get("message") or {}
    ts = str(message.get("ts") or body.get("message_ts") or "")
    to = ReplyTo(team_id, channel_id, user_id, message.get("thread_ts"))
    with svc.transaction() as tx:
        existing = task_id_by_post(tx.session, team_id, channel_id, ts)
        if existing is not None:
            queue_note(tx, to, f"This message is already #{existing}: `/dibs claim {existing}` takes it.")
            return
        words = words_of(message)
        suggested = classify(words, tx.settings_for(team_id).kinds)
        meta = {"channel": channel_id, "ts": ts, "private": str(body["channel"].get("name") == "privategroup")}
        if suggested is None:  # remembered with the kind chosen: what suggests new phrases (bot.installs.phrases)
            meta["phrases"] = "\n".join(carried(words))
        view = build_track_modal(
            title_from(words), list(svc.settings.kinds), suggested.name if suggested else None, meta, svc.settings
        )
        queue_call(
            tx, team_id=team_id, channel_id=channel_id, recipient=user_id, purpose=Purpose.MODAL, method="views.open",
            args={"trigger_id": body["trigger_id"], "view": view.to_dict()}, text=TRY_AGAIN,
        )  # fmt: skip


def track(
    svc: Services, team_id: str, user_id: str, private_metadata: str, kind_name: str, title: str, due: str | None
) -> TaskSnapshot:
    """The form was sent: the message's task, its thread to follow. DibsError (shown in the form) if it cannot be."""
    meta = track_metadata(private_metadata)
    if meta is None:
        log.warning(
            "refused a Track with Dibs form whose private_metadata Dibs did not write: %r", private_metadata[:200]
        )
        raise DibsError(FORM_UNREADABLE)
    if blank(title):
        raise DibsError("Write a title for the task.")
    kind = kind_named(svc.settings, kind_name)  # the form's value is its key; a kind since removed is named
    due_on = date.fromisoformat(due) if due else None
    with svc.transaction() as tx:
        if due_on is not None:
            check_due_date(due_on, local_day(tx.now, tx.settings_for(team_id)))
        channel = watched(tx.session, team_id, meta["channel"])
        # Where Dibs does not watch, it cannot tell a private channel from a public one: it keeps the task there.
        private = channel.private if channel is not None else True
        new = NewTask(
            team_id=team_id, channel_id=meta["channel"], kind=kind.name, title=title_from(title), slots=kind.slots,
            posted_by=user_id, message_ts=meta["ts"], source=Via.SHORTCUT, due_on=due_on,
            private=private or meta.get("private") == "True",
        )  # fmt: skip
        task = create_task(tx, new)
        if task is None:
            raise DibsError("This message already has a task.")
        remember(tx, team_id, task.id, kind.name, [p for p in str(meta.get("phrases") or "").split("\n") if p])
        return task

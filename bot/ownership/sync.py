"""Keep each task's thread reply telling the truth, even when Slack fails for a while.

Every change bumps `tasks.version`; the reply shows `tasks.thread_version`. Whoever holds the
task's thread lease posts (first time) or updates the reply, then loops until the two agree.
Anyone who cannot get the lease leaves the work to the holder, who re-checks after letting go;
the outbox tick picks up what a crash or a Slack outage left behind.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.ownership.view import build_ownership_message
from bot.reminders.policy import local_day
from bot.services import Services
from bot.tasks.model import TaskSnapshot
from bot.tasks.service import get_task
from store.models import Task
from store.queries.tasks import set_task_fields, stale_threads, take_thread_lease

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
# A few passes at most: more changes than that while we post means others are posting too.
MAX_PASSES = 5
BATCH = 50


def _take_lease(svc: Services, task_id: int) -> bool:
    now = svc.now()
    with svc.db.begin() as session:
        return take_thread_lease(session, task_id, now, now + LEASE)


def _give_back_lease(svc: Services, task_id: int, shown_version: int | None) -> bool:
    """Record which version the thread now shows, let go of the lease; True if it is still behind."""
    with svc.db.begin() as session:
        task = session.get(Task, task_id)
        if task is None:
            return False
        if shown_version is not None and shown_version > task.thread_version:
            task.thread_version = shown_version
        task.thread_lease_until = None
        return task.thread_version < task.version


def _remember(svc: Services, task_id: int, **values: str) -> None:
    with svc.db.begin() as session:
        set_task_fields(session, task_id, **values)


def _push(client: WebClient, svc: Services, task: TaskSnapshot) -> None:
    """Post (first time) or update the reply for `task`."""
    settings = svc.settings
    message = build_ownership_message(task, settings.kind(task.kind), settings, local_day(svc.now(), settings))
    if task.reply_ts:
        client.chat_update(channel=task.channel_id, ts=task.reply_ts, **message.as_kwargs())  # type: ignore[arg-type]
        return
    response = client.chat_postMessage(
        channel=task.channel_id,
        thread_ts=task.message_ts,
        unfurl_links=False,
        **message.as_kwargs(),  # type: ignore[arg-type]
    )
    # Stored at once: from now on people can react to the reply, and reactions find tasks by ts.
    _remember(svc, task.id, reply_ts=str(response["ts"]))
    try:
        permalink = client.chat_getPermalink(channel=task.channel_id, message_ts=task.message_ts).get("permalink")
        if permalink:
            _remember(svc, task.id, permalink=str(permalink))
    except SlackClientError:
        log.info("no permalink for task #%s; its title will not be linked", task.id)


def sync_thread(client: WebClient, svc: Services, team_id: str, task_id: int) -> bool:
    """Bring task `task_id`'s thread reply up to date; False if Slack failed (the outbox retries)."""
    for _ in range(MAX_PASSES):
        if not _take_lease(svc, task_id):
            return True  # someone else is posting; they re-check after letting go
        shown: int | None = None
        try:
            task = get_task(svc, team_id, task_id)
            _push(client, svc, task)
            shown = task.version
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("could not update the thread of task #%s (will retry): %s", task_id, error)
        behind = _give_back_lease(svc, task_id, shown)
        if shown is None:
            return False
        if not behind:
            return True
    return True


def resync_stale_threads(client: WebClient, svc: Services, grace: timedelta) -> int:
    """The outbox tick: retry replies that are missing or stale for longer than `grace`."""
    now = svc.now()
    with svc.db.begin() as session:
        stale = stale_threads(session, created_before=now - grace, now=now, limit=BATCH)
    return sum(1 for team_id, task_id in stale if sync_thread(client, svc, team_id, task_id))

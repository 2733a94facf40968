"""Gift campaigns: import recipients, mark gifts delivered or missed, and a follow-up task for each
missed gift (announced in the campaign's channel, with its own thread, owner and reminders)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from bot.gifts.imports import is_csv
from bot.gifts.platforms import PLATFORMS, link_key, links_shown
from bot.gifts.recipients import Recipient, name_key
from bot.intake.posts import open_announced_task
from bot.slack.text import escape, plain
from bot.tasks import rules
from bot.tasks.changes import FileShared
from bot.tasks.errors import DibsError, NotAllowed, TaskNotFound
from bot.tasks.lookup import locked_task
from bot.tasks.model import TaskSnapshot, snapshot
from bot.tasks.tx import Tx
from store.enums import FINISHED, GiftState, Via
from store.models import GiftRecipient, Task
from store.queries import gifts as queries
from store.queries.external import keys_of_task, point
from store.queries.tasks import task_id_by_post

if TYPE_CHECKING:
    from bot.services import Services

CAMPAIGN = "gift_campaign"
FOLLOWUP = "gift_followup"


def _campaign(tx: Tx, team_id: str, task_id: int, seen_from: str | None, still_open: bool = True) -> Task:
    """The gift campaign #task_id, locked; with `still_open`, refused once it is done or cancelled."""
    task = locked_task(tx.session, team_id, task_id, seen_from)
    if task.kind != CAMPAIGN:
        raise DibsError(f"#{task.id} is a {task.kind}, not a gift campaign.")
    if still_open:
        rules.refuse_finished(task)
    return task


def import_recipients(
    svc: Services, team_id: str, task_id: int, found: list[Recipient], actor: str, seen_from: str | None = None
) -> tuple[int, int]:
    """Add a campaign's recipients (names already there stay as they are): (new, in all)."""
    with svc.transaction() as tx:
        task = _campaign(tx, team_id, task_id, seen_from)
        rows = [{**asdict(r), "name_key": r.key} for r in found]
        added = queries.add_recipients(tx.session, team_id, task.id, rows, tx.now)
        rules.record(tx, task, actor, "recipients", Via.GIFT, detail=f"{added} of {len(found)}")
        return added, sum(queries.gift_counts(tx.session, task.id).values())


def _may_mark(task: Task, recipient: GiftRecipient, user_id: str) -> None:
    owners = {c.user_id for c in rules.owners(task)}
    if user_id not in owners and user_id != task.posted_by and user_id != recipient.owner:
        raise NotAllowed(
            f"Only the owners of #{task.id}, <@{task.posted_by}> who posted it, or the recipient's owner "
            "can mark its gifts."
        )


def _may_link(task: Task, user_id: str) -> None:
    if user_id not in {c.user_id for c in rules.owners(task)} and user_id != task.posted_by:
        raise NotAllowed(f"Only the owners of #{task.id} or <@{task.posted_by}> who posted it can link its gifts.")


def _follow_up(tx: Tx, campaign: Task, recipient: GiftRecipient) -> TaskSnapshot:
    """A task of its own for a gift that did not arrive, announced in the campaign's channel."""
    who = recipient.name + (f", {recipient.company}" if recipient.company else "")
    campaign_title = escape(plain(campaign.title))
    headline = f":gift: *The gift for {escape(who)} did not arrive* (campaign #{campaign.id} {campaign_title})."
    details = "\n".join(f"{k}: {v}" for k, v in (("Email", recipient.email), ("Address", recipient.address)) if v)
    kind = tx.settings.kind(FOLLOWUP) or tx.settings.kinds[CAMPAIGN]
    return open_announced_task(
        tx, team_id=campaign.team_id, channel_id=campaign.channel_id, kind=kind, title=f"Arrange a gift for {who}",
        posted_by=campaign.posted_by, source=Via.GIFT, headline=headline, details=details or None,
        private=campaign.private,
    )  # fmt: skip


def mark(tx: Tx, campaign: Task, recipient: GiftRecipient, state: GiftState, user_id: str) -> str:
    """Mark one recipient's gift; a missed one gets its follow-up task. The answer for the person who did it."""
    _may_mark(campaign, recipient, user_id)
    return set_state(tx, campaign, recipient, state, user_id)


def set_state(tx: Tx, campaign: Task, recipient: GiftRecipient, state: GiftState, actor: str) -> str:
    """`mark` once it is allowed (or for a gift platform's webhook, `actor` "goody" or "sendoso")."""
    if recipient.state == state:
        return f"{escape(recipient.name)} is already marked {state}."
    recipient.state, recipient.updated_at = state, tx.now
    note = f"{escape(recipient.name)}: {state}."
    if state == GiftState.MISSED and recipient.followup_task_id is None:
        followup = _follow_up(tx, campaign, recipient)
        recipient.followup_task_id = followup.id
        note += f" #{followup.id} asks who will arrange a new gift."
    rules.record(tx, campaign, actor, f"gift_{state}", Via.GIFT, detail=recipient.name)
    return note


def mark_by_name(
    svc: Services, team_id: str, task_id: int, user_id: str, state: GiftState, name: str, seen_from: str | None
) -> str:
    """`/dibs gift ID delivered|missed NAME`."""
    with svc.transaction() as tx:
        campaign = _campaign(tx, team_id, task_id, seen_from)
        found = queries.recipient(tx.session, campaign.id, name_key(name))
        if found is None:
            raise DibsError(f"#{task_id} has no recipient called {escape(name)}: `/dibs gift {task_id}` lists them.")
        return mark(tx, campaign, found, state, user_id)


def mark_by_id(svc: Services, team_id: str, task_id: int, recipient_id: int, user_id: str, state: GiftState) -> str:
    """The Delivered / Missed choice next to a recipient in `/dibs gift ID`."""
    with svc.transaction() as tx:
        campaign = _campaign(tx, team_id, task_id, None)
        found = queries.recipient_by_id(tx.session, campaign.id, recipient_id)
        if found is None:
            raise TaskNotFound(f"#{task_id} has no such recipient any more.")
        return mark(tx, campaign, found, state, user_id)


def link_platform(
    svc: Services, team_id: str, task_id: int, user_id: str, source: str, batch_id: str, seen_from: str | None
) -> str:
    """`/dibs gift ID link goody:BATCH_ID` (or `sendoso:CAMPAIGN_ID`): that batch's webhooks mark this campaign."""
    with svc.transaction() as tx:
        campaign = _campaign(tx, team_id, task_id, seen_from)
        _may_link(campaign, user_id)
        before = point(tx.session, team_id, link_key(source, batch_id), campaign.id, tx.now)
        rules.audit(tx.session, campaign, user_id, "gift_linked", Via.GIFT, tx.now, detail=f"{source}:{batch_id}")
    what = f"{PLATFORMS[source]} `{escape(batch_id)}`"
    moved = f" (it marked #{before}'s before)" if before not in (None, task_id) else ""
    return f"{what} now marks the gifts of #{task_id}{moved}."


def campaign_with_recipients(
    svc: Services, team_id: str, task_id: int, seen_from: str | None
) -> tuple[TaskSnapshot, list[GiftRecipient], list[str]]:
    """A campaign, its recipients and the platforms' batches linked to it, for `/dibs gift ID`."""
    with svc.transaction() as tx:
        campaign = _campaign(tx, team_id, task_id, seen_from, still_open=False)
        links = links_shown(keys_of_task(tx.session, team_id, campaign.id, [link_key(s, "") for s in PLATFORMS]))
        return snapshot(campaign), queries.recipients(tx.session, campaign.id), links


def import_shared_file(svc: Services, team_id: str, event: dict[str, Any]) -> bool:
    """A CSV shared in a gift campaign's thread: its import is queued (the file is read after the ack).
    False if the file is not for a campaign."""
    files = [f for f in event.get("files") or [] if isinstance(f, dict) and is_csv(f) and f.get("id")]
    channel_id, thread_ts, user_id = str(event.get("channel") or ""), str(event.get("thread_ts")), event.get("user")
    if not files or not user_id:
        return False
    with svc.transaction() as tx:
        task_id = task_id_by_post(tx.session, team_id, channel_id, thread_ts)
        task = tx.session.get(Task, task_id) if task_id is not None else None
        if task is None or task.kind != CAMPAIGN or task.status in FINISHED:
            return False
        tx.changed(FileShared(task, str(user_id), str(files[0]["id"]), thread_ts, f"{channel_id}:{event.get('ts')}"))
    return True

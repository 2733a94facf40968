"""`POST /intake/goody` and `POST /intake/sendoso`: gifting platforms mark a campaign's recipients.

Goody signs through Svix (`svix-id`, `svix-timestamp`, `svix-signature`, the Standard Webhooks scheme): the
`standardwebhooks` library checks it with `DIBS_GOODY_SECRET` and refuses a timestamp more than 5 minutes
away. Sendoso publishes no signature scheme: the caller sends `DIBS_SENDOSO_SECRET` as `X-Dibs-Secret` (or
`Authorization: Bearer`), compared in constant time. A webhook's id is recorded with its effect
(`external_keys`, `goody:ID`), so a replay changes nothing, across processes.

Which campaign: the one its batch (or Sendoso campaign) was linked to with `/dibs gift ID link goody:BATCH`;
otherwise the workspace's only open gift campaign (not one linked to another batch of that platform); otherwise
nothing is applied. Which recipient: by email (any case), then by first and last name. What cannot be placed is
logged and answered 200, so the platform does not retry it forever.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook, WebhookVerificationError

from bot.gifts.platforms import Effect, GiftEvent, goody_event, link_key, sendoso_event
from bot.gifts.recipients import name_key
from bot.gifts.service import CAMPAIGN, set_state
from bot.intake.webhook import Answer, authorised, workspace
from bot.tasks import rules
from bot.tasks.tx import Tx
from store.enums import FINISHED, GiftState, Via
from store.models import GiftRecipient, Task
from store.queries import gifts as queries
from store.queries.external import keyed_tasks, known, remember
from store.queries.tasks import lock_task

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
READERS = {"goody": goody_event, "sendoso": sendoso_event}


class _Replayed(Exception):
    """Another request recorded the same webhook id first: this one's changes are rolled back."""


def _signed_id(secret: str, body: bytes, headers: Mapping[str, str]) -> str | None:
    """The webhook's id if Svix's signature (svix-* or webhook-* headers) is good and fresh, else None.
    ValueError: the secret itself is not one."""
    given = {f"webhook-{name}": headers.get(f"svix-{name}") or headers.get(f"webhook-{name}") or "" for name in
             ("id", "timestamp", "signature")}  # fmt: skip
    try:
        hook = Webhook(secret)
    except (EmptyWebhookSecretError, ValueError) as error:
        raise ValueError("DIBS_GOODY_SECRET is not a signing secret like whsec_…") from error
    try:
        hook.verify(body, given, json_parse=False)
    except WebhookVerificationError:
        return None
    return given["webhook-id"][:200]


def _shared_secret(secret: str, headers: Mapping[str, str]) -> bool:
    given = headers.get("x-dibs-secret")
    if given is not None:
        return hmac.compare_digest(given.encode(), secret.encode())
    return authorised(headers.get("authorization") or "", secret)


def receive(
    svc: Services, source: str, only_team: str | None, body: bytes, headers: Mapping[str, str], query: str = ""
) -> Answer:
    """One platform webhook: 404 while its secret is unset, 401 unsigned or stale, 400 unreadable, else 200.
    `headers` by lower-case name; `only_team` is the bot token's workspace (None with many)."""
    secret = svc.settings.goody_secret if source == "goody" else svc.settings.sendoso_secret
    if source not in READERS or not secret:
        return Answer(404, {"error": "not found"})
    delivery: str | None = None
    if source == "goody":
        try:
            delivery = _signed_id(secret, body, headers)
        except ValueError as error:
            log.error("POST /intake/goody: %s", error)
            return Answer(503, {"error": str(error)})
        if delivery is None:
            log.info("refused a %s webhook of %s bytes without a valid, fresh signature", source, len(body))
            return Answer(401, {"error": "the svix-signature is missing, wrong or older than 5 minutes"})
    elif not _shared_secret(secret, headers):
        log.info("refused a %s webhook of %s bytes without its secret", source, len(body))
        return Answer(401, {"error": "X-Dibs-Secret: <DIBS_SENDOSO_SECRET> is missing or wrong"})
    try:
        given = next(iter(parse_qs(query).get("team") or []), None)
        team_id = workspace(svc, given, only_team, hint="add ?team=T0123ABCD to the URL")
        try:
            data = json.loads(body or b"null")
        except (ValueError, RecursionError):
            raise ValueError("body: not JSON") from None
        event = READERS[source](data)
    except ValueError as error:
        log.warning("refused a %s webhook of %s bytes: %s", source, len(body), error)
        return Answer(400, {"error": str(error)})
    key = delivery or event.event_id
    return apply_event(svc, team_id, event, f"{source}:{key}" if key else None)


def _campaign_for(tx: Tx, team_id: str, event: GiftEvent) -> tuple[Task | None, str]:
    """The open campaign the event is for, locked, or (None, why not)."""
    task_id = None
    if event.batch_id is not None:
        task_id = known(tx.session, team_id, link_key(event.source, event.batch_id))[1]
    if task_id is None:
        candidates = queries.open_campaigns(tx.session, team_id, CAMPAIGN, limit=50)
        if event.batch_id is not None:  # a campaign linked to another batch is not this one's
            linked = keyed_tasks(tx.session, team_id, link_key(event.source, ""))
            candidates = [c for c in candidates if c not in linked]
        if len(candidates) != 1:
            return None, f"no campaign linked to {event.source}:{event.batch_id or '(no batch id)'}, and " + (
                "no open gift campaign" if not candidates else "more than one open gift campaign"
            )
        task_id = candidates[0]
    task = lock_task(tx.session, team_id, task_id)
    if task is None or task.kind != CAMPAIGN:
        return None, f"#{task_id} is not a gift campaign"
    if task.status in FINISHED:
        return None, f"#{task.id} is {task.status}"
    return task, ""


def _recipient(tx: Tx, campaign: Task, event: GiftEvent) -> GiftRecipient | None:
    found = queries.recipient_by_email(tx.session, campaign.id, event.email) if event.email else None
    if found is None and event.name:
        found = queries.recipient(tx.session, campaign.id, name_key(event.name))
    return found


def _ignored(event: GiftEvent, why: str) -> Answer:
    log.info("%s %s not applied: %s", event.source, event.kind, why)
    return Answer(200, {"result": "ignored", "reason": why})


def apply_event(svc: Services, team_id: str, event: GiftEvent, key: str | None) -> Answer:
    """Mark the recipient (a missed gift opens its follow-up, as `/dibs gift ID missed NAME` does) or note the
    event, and record `key` (the webhook's id) in the same transaction; a key seen before changes nothing."""
    if event.effect == Effect.IGNORED:
        return _ignored(event, f"{event.kind} is not about one recipient's gift")
    try:
        with svc.transaction() as tx:
            if key is not None and known(tx.session, team_id, key)[0]:
                raise _Replayed
            campaign, why = _campaign_for(tx, team_id, event)
            if campaign is None:
                return _ignored(event, why)
            recipient = _recipient(tx, campaign, event)
            if recipient is None:
                return _ignored(event, f"#{campaign.id} has no recipient with that email or name")
            if event.effect == Effect.NOTED:
                detail = f"{event.kind}: {recipient.name}"
                rules.audit(tx.session, campaign, event.source, "gift_noted", Via.GIFT, tx.now, detail=detail)
            else:
                set_state(tx, campaign, recipient, GiftState(event.effect.value), event.source)
            if key is not None and not remember(tx.session, team_id, key, None, tx.now):
                raise _Replayed
            campaign_id = campaign.id
    except _Replayed:
        log.info("%s %s: webhook %s was handled before", event.source, event.kind, key)
        return Answer(200, {"result": "already handled"})
    log.info("%s %s: %s on #%s", event.source, event.kind, event.effect, campaign_id)
    return Answer(200, {"result": str(event.effect), "campaign": campaign_id})

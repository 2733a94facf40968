"""What a gifting platform's webhook says about one gift, read from its JSON body. Pure: no database, no Slack.

Goody (through Svix): `{"event_type": "order.delivered", "id": …, "data": {order}}`; the order carries
`recipient_email`, `recipient_first_name`, `recipient_last_name` and its batch's id (`order_batch_id`, or in
Goody's older examples `gift_batch_id`, `gift_batch.id` and `gift.*` event types).

Sendoso (no published body schema): the event's type in `event_type` or `event` (`send.delivered`), the send in
`data` or `send` (or the body itself), with `recipient_email` or `email` (or `recipient.email`), the name as
`recipient_name` or first and last (`recipient_first_name`/`first_name`, `recipient_last_name`/`last_name`, or
under `recipient`), and the campaign as `campaign_id` or `touch_id`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.slack.payloads import clean_text


class Effect(StrEnum):
    """What an event does to a campaign's recipient."""

    DELIVERED = "delivered"
    MISSED = "missed"
    NOTED = "noted"  # recorded in the campaign's audit trail, nothing said in Slack
    IGNORED = "ignored"  # not about one recipient's gift (a batch was created…): answered 200, nothing written


class EventError(ValueError):
    """The body is not an event Dibs can read; the message names the field (`data: expected an object`)."""


@dataclass(frozen=True)
class GiftEvent:
    """One platform event, reduced to what Dibs matches and does."""

    source: str  # "goody" or "sendoso"
    kind: str  # the platform's event type, e.g. "order.delivered"
    effect: Effect
    event_id: str | None = None
    batch_id: str | None = None  # Goody's order batch, Sendoso's campaign (or touch)
    email: str | None = None
    name: str | None = None  # first and last name, as one


PLATFORMS = {"goody": "Goody batch", "sendoso": "Sendoso campaign"}  # what `/dibs gift ID link` links
_LINKS = {"goody": "goody-batch:", "sendoso": "sendoso-campaign:"}


def link_key(source: str, batch_id: str) -> str:
    """The `external_keys` key that links a platform's batch (or campaign) to a gift campaign."""
    return f"{_LINKS[source]}{batch_id}"


def links_shown(keys: Iterable[str]) -> list[str]:
    """`Goody batch `d158184c`` for each batch (or Sendoso campaign) linked, given a campaign's link keys in the
    order they are shown in: Goody's first, then Sendoso's, each in the order given."""
    keys = list(keys)
    return [f"{PLATFORMS[source]} `{key.removeprefix(prefix)}`" for source, prefix in _LINKS.items() for key in keys
            if key.startswith(prefix)]  # fmt: skip


GOODY = {
    "delivered": Effect.DELIVERED,
    "gift_accepted": Effect.DELIVERED,
    "canceled": Effect.MISSED,
    "refunded": Effect.MISSED,
    "shipped": Effect.NOTED,
}
SENDOSO_MISSED = {"expired", "failed", "bounced", "canceled"}


def _text(data: dict[str, Any], *fields: str, limit: int = 200) -> str | None:
    """The first of `fields` that holds text (a number is read as text), cleaned and cut to `limit`."""
    for field in fields:
        value: Any = data
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool):
            continue
        if isinstance(value, int | str):
            text = " ".join(clean_text(str(value)).split())[:limit]
            if text:
                return text
    return None


def _name(data: dict[str, Any], prefixes: tuple[str, ...]) -> str | None:
    for prefix in prefixes:
        first, last = _text(data, f"{prefix}first_name"), _text(data, f"{prefix}last_name")
        if first or last:
            return " ".join(part for part in (first, last) if part)[:200]
    return None


def _object(body: Any, field: str) -> dict[str, Any]:
    value = body.get(field) if isinstance(body, dict) else None
    if not isinstance(value, dict):
        raise EventError(f"{field}: expected an object")
    return value


def _kind(body: Any, *fields: str) -> str:
    if not isinstance(body, dict):
        raise EventError("body: expected a JSON object")
    kind = next((_text(body, f, limit=100) for f in fields if isinstance(body.get(f), str)), None)
    if kind is None:
        raise EventError(f"{fields[0]}: expected the event's type, like order.delivered")
    return kind.lower()


def _recipient(source: str, kind: str, effect: Effect, event_id: str | None, batch: str | None,
               email: str | None, name: str | None) -> GiftEvent:  # fmt: skip
    if email is None and name is None:
        raise EventError("recipient: expected the recipient's email or name")
    email = email.lower() if email and "@" in email else None
    if email is None and name is None:
        raise EventError("recipient_email: expected an email address")
    return GiftEvent(source, kind, effect, event_id, batch, email, name)


def goody_event(body: Any) -> GiftEvent:
    """A Goody webhook's body as a `GiftEvent`; EventError names what is missing."""
    kind = _kind(body, "event_type")
    event_id = _text(body, "id", "event_id")
    subject, _, verb = kind.partition(".")
    if subject not in ("order", "gift"):  # order_batch.*, gift_batch.*: about a whole batch
        return GiftEvent("goody", kind, Effect.IGNORED, event_id)
    effect = GOODY.get(verb, Effect.IGNORED)
    if effect == Effect.IGNORED:
        return GiftEvent("goody", kind, effect, event_id)
    order = _object(body, "data")
    batch = _text(order, "order_batch_id", "gift_batch_id", "order_batch.id", "gift_batch.id")
    return _recipient(
        "goody", kind, effect, event_id, batch, _text(order, "recipient_email"), _name(order, ("recipient_",))
    )


def sendoso_event(body: Any) -> GiftEvent:
    """A Sendoso send event's body as a `GiftEvent`; EventError names what is missing."""
    kind = _kind(body, "event_type", "event", "type")
    event_id = _text(body, "id", "event_id", "webhook_id")
    subject, _, verb = kind.partition(".")
    if subject != "send":
        return GiftEvent("sendoso", kind, Effect.IGNORED, event_id)
    effect = Effect.DELIVERED if verb == "delivered" else Effect.MISSED if verb in SENDOSO_MISSED else Effect.NOTED
    send = next((body[f] for f in ("data", "send") if isinstance(body.get(f), dict)), body)
    batch = _text(send, "campaign_id", "touch_id", "campaign.id", "touch.id") or _text(body, "campaign_id", "touch_id")
    email = _text(send, "recipient_email", "email", "recipient.email")
    name = _text(send, "recipient_name", "recipient.name") or _name(send, ("recipient_", "", "recipient."))
    return _recipient("sendoso", kind, effect, event_id, batch, email, name)

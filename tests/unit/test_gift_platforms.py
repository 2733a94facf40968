"""Goody's and Sendoso's webhook bodies read as one gift's event: every event type, both batch id spellings,
and what is missing named in one line."""

from __future__ import annotations

import pytest

from bot.gifts.platforms import Effect, EventError, GiftEvent, goody_event, link_key, sendoso_event
from bot.slack.command_parser import parse_command
from bot.slack.commands import LinkGifts, UsageError

ORDER = {
    "id": "8999f804",
    "status": "shipped",
    "recipient_first_name": "Alena",
    "recipient_last_name": "Kenter",
    "recipient_email": "Alena@OnGoody.com",
    "order_batch_id": "d158184c-6b31",
}


def goody(event_type: str, **order: object) -> dict:
    return {"event_type": event_type, "id": "ad097c47", "data": {**ORDER, **order}}


@pytest.mark.parametrize(
    ("event_type", "effect"),
    [
        ("order.delivered", Effect.DELIVERED), ("order.gift_accepted", Effect.DELIVERED),
        ("order.canceled", Effect.MISSED), ("order.refunded", Effect.MISSED), ("order.shipped", Effect.NOTED),
        ("gift.delivered", Effect.DELIVERED), ("ORDER.Refunded", Effect.MISSED),
        ("order.created", Effect.IGNORED), ("order.gift_opened", Effect.IGNORED),
        ("order.thank_you_note_added", Effect.IGNORED), ("order_batch.created", Effect.IGNORED),
        ("order_batch.completed", Effect.IGNORED), ("gift_batch.completed", Effect.IGNORED),
    ],
)  # fmt: skip
def test_every_goody_event_type_has_its_effect(event_type, effect):
    event = goody_event(goody(event_type))
    assert event.effect == effect and event.source == "goody" and event.event_id == "ad097c47"
    if effect != Effect.IGNORED:
        assert event == GiftEvent(
            "goody", event_type.lower(), effect, "ad097c47", "d158184c-6b31", "alena@ongoody.com", "Alena Kenter"
        )


def test_goody_batch_id_is_read_in_every_spelling_goody_uses():
    without = {k: v for k, v in ORDER.items() if k != "order_batch_id"}
    for order, batch in [
        ({"order_batch_id": "B1"}, "B1"), ({"gift_batch_id": "B2"}, "B2"), ({"gift_batch": {"id": "B3"}}, "B3"),
        ({"order_batch": {"id": "B4"}}, "B4"), ({}, None),
    ]:  # fmt: skip
        body = {"event_type": "order.delivered", "id": "x", "data": {**without, **order}}
        assert goody_event(body).batch_id == batch, order


def test_a_recipient_is_read_by_email_or_by_name_alone():
    by_name = goody_event(goody("order.delivered", recipient_email=None))
    assert by_name.email is None and by_name.name == "Alena Kenter"
    by_email = goody_event(goody("order.delivered", recipient_first_name=None, recipient_last_name=None))
    assert by_email.email == "alena@ongoody.com" and by_email.name is None
    spaced = goody_event(goody("order.delivered", recipient_first_name="  Ana \u202e ", recipient_last_name="Lee\n"))
    assert spaced.name == "Ana Lee"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([1, 2], "body"), ("text", "body"), ({"id": "x", "data": ORDER}, "event_type"),
        ({"event_type": 7, "data": ORDER}, "event_type"), ({"event_type": "order.delivered"}, "data"),
        ({"event_type": "order.delivered", "data": "x"}, "data"),
        ({"event_type": "order.refunded", "data": {"order_batch_id": "B"}}, "recipient"),
        ({"event_type": "order.refunded", "data": {"recipient_email": "not an email"}}, "recipient_email"),
    ],
)  # fmt: skip
def test_a_goody_body_without_what_dibs_needs_names_the_field(body, field):
    with pytest.raises(EventError) as error:
        goody_event(body)
    assert str(error.value).startswith(f"{field}: ") and "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("event_type", "effect"),
    [
        ("send.delivered", Effect.DELIVERED), ("send.expired", Effect.MISSED), ("send.failed", Effect.MISSED),
        ("send.bounced", Effect.MISSED), ("send.canceled", Effect.MISSED), ("send.opened", Effect.NOTED),
        ("send.fulfilling", Effect.NOTED), ("send.amazon_shipped", Effect.NOTED), ("touch.created", Effect.IGNORED),
    ],
)  # fmt: skip
def test_every_sendoso_event_type_has_its_effect(event_type, effect):
    body = {"event_type": event_type, "id": 41, "data": {"recipient_email": "ana@example.com", "campaign_id": 9}}
    event = sendoso_event(body)
    assert event.effect == effect and event.event_id == "41"
    if effect != Effect.IGNORED:
        assert (event.email, event.batch_id, event.name) == ("ana@example.com", "9", None)


def test_sendoso_bodies_are_read_in_the_shapes_the_readme_lists():
    shapes = [
        {"event": "send.expired", "send": {"email": "a@x.com", "touch_id": "T1", "recipient_name": "Ana Lee"}},
        {"event_type": "send.expired", "recipient": {"email": "a@x.com", "first_name": "Ana", "last_name": "Lee"},
         "campaign_id": "T1"},
        {"type": "send.expired", "data": {"first_name": "Ana", "last_name": "Lee", "email": "A@X.com",
                                          "campaign": {"id": "T1"}}},
    ]  # fmt: skip
    for body in shapes:
        event = sendoso_event(body)
        assert (event.effect, event.email, event.name, event.batch_id) == (Effect.MISSED, "a@x.com", "Ana Lee", "T1")
    with pytest.raises(EventError, match=r"^recipient: "):
        sendoso_event({"event": "send.delivered", "data": {"campaign_id": "T1"}})
    with pytest.raises(EventError, match=r"^event_type: "):
        sendoso_event({"data": {"email": "a@x.com"}})


def test_gift_link_is_parsed_with_its_platform_and_batch():
    assert parse_command("gift 12 link goody:d158184c-6b31") == LinkGifts(12, "goody", "d158184c-6b31")
    assert parse_command("gift #12 link Sendoso:CMP_9") == LinkGifts(12, "sendoso", "CMP_9")
    assert link_key("goody", "B1") == "goody-batch:B1" and link_key("sendoso", "9") == "sendoso-campaign:9"
    for text in ("gift 12 link", "gift 12 link zazzle:1", "gift 12 link goody:", "gift 12 link goody:<@U1>"):
        with pytest.raises(UsageError, match="link goody:BATCH_ID"):
            parse_command(text)

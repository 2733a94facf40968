"""Kinds of follow-up: how each is recognised and how its ownership thread reads; the defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from bot.settings.values import GroupId, Section, matches, only, refuse, whole

KIND_NAME = r"[a-z][a-z0-9_]{0,30}"
KIND_NAME_RULE = "kind names are lower-case letters, digits and _, like trade_show"
MAX_SEATS = 50  # a kind's or a task's seats in all


def _keywords(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value or not all(isinstance(w, str) and w.strip() for w in value):
        refuse("expected a non-empty list of words or phrases")
    return tuple(w.strip().lower() for w in value)


def _phrases(value: object) -> tuple[str, ...]:
    """`phrases:` whole phrases as people write them ("left a comment"); an empty list clears the defaults'."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(w, str) and w.strip() for w in value):
        refuse("expected a list of phrases, like [left a comment, can someone reply]")
    return tuple(" ".join(w.split()).lower() for w in value)


def _question(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        refuse("expected the sentence the ownership thread asks")
    return value.strip()


def _label(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 40 or set(value) & set("<>&*_~`|"):
        refuse("expected the kind's name as people read it, up to 40 characters without <>&*_~`|, like Trade show")
    return " ".join(value.split())


def _emoji(value: object) -> str | None:
    """`calendar` or `:calendar:` (stored as `:calendar:`), or an emoji character itself."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else ""
    name = text.strip(":")
    if matches(r"[a-z0-9_+'-]{1,60}")(name):
        return f":{name}:"
    if not text or len(text) > 8 or any(c.isspace() or c.isascii() for c in text):
        refuse("expected an emoji's name, like calendar or :calendar:")
    return text


def _rotation(value: object) -> str | None:
    if value not in ("fair", None, "none"):
        refuse(f"{value!r} is not accepted; use fair or none")
    return "fair" if value == "fair" else None


def _roles(value: object) -> tuple[tuple[str, int], ...]:
    """`{lead: 1, staff: 2}`: role names and their seats, in order."""
    if value is None or value == {}:
        return ()
    if not isinstance(value, Mapping | tuple):
        refuse("expected roles and their seats, like {lead: 1, staff: 2}")
    roles: list[tuple[str, int]] = []
    for name, seats in value.items() if isinstance(value, Mapping) else value:
        if not matches(r"[a-z][a-z0-9_]{0,20}")(name):
            refuse(f"{name!r} is not a role name; use lower-case letters, digits and _, like staff")
        if not (isinstance(seats, int) and not isinstance(seats, bool) and 1 <= seats <= MAX_SEATS):
            refuse(f"{seats!r} is not accepted; use a whole number from 1 to {MAX_SEATS}", name)
        roles.append((name, seats))
    if sum(seats for _, seats in roles) > MAX_SEATS:
        refuse(f"at most {MAX_SEATS} seats in all")
    return tuple(roles)


class Kind(Section):
    """A kind of follow-up: how to recognise it and how its ownership thread reads."""

    name: Annotated[str, only(matches(KIND_NAME), lambda _: KIND_NAME_RULE)]
    keywords: Annotated[tuple[str, ...], BeforeValidator(_keywords)] = ()  # lower case; [] is refused
    # Whole phrases as people write them; like keywords, each matches its word forms ("left comments").
    phrases: Annotated[tuple[str, ...], BeforeValidator(_phrases)] = ()
    # Roles with their seats, in order (`roles: {lead: 1, staff: 2}`): instead of plain `slots`.
    roles: Annotated[tuple[tuple[str, int], ...], BeforeValidator(_roles)] = ()
    slots: Annotated[int, whole(1, MAX_SEATS)] = Field(default=1, validate_default=True)  # with roles: their sum
    owner_group: GroupId = None
    # Only this user group's members (and the `admins:` group's) may claim its tasks; None: anyone.
    claimers: GroupId = None
    question: Annotated[str, BeforeValidator(_question)] = "Who owns this follow-up?"
    done_needs_link: Annotated[bool, only(lambda v: isinstance(v, bool), lambda _: "expected true or false")] = False
    # "fair": still unclaimed at nag.escalate_after, one person is asked privately (see NomineeSettings).
    rotation: Annotated[str | None, BeforeValidator(_rotation)] = None
    # How people read the kind ("Blog comment"); None: from its name ("trade_show" reads "Trade show").
    label: Annotated[str | None, BeforeValidator(_label)] = None
    # Shown before the label in threads, lists and Home (`:calendar:`); None: no emoji.
    emoji: Annotated[str | None, BeforeValidator(_emoji)] = None

    @field_validator("slots")
    @classmethod
    def _seats_of_the_roles(cls, slots: int, info: ValidationInfo) -> int:
        """With roles, slots is the sum of their seats (roles are read first)."""
        roles = info.data.get("roles")
        return sum(seats for _, seats in roles) if roles else slots

    @model_validator(mode="after")
    def _has_keywords(self) -> Kind:
        """A kind without keywords or phrases (a new one the file gives neither) could never match a post."""
        if not self.keywords and not self.phrases:
            refuse("a new kind needs keywords or phrases to recognise its posts", "keywords")
        return self


DEFAULT_KINDS: dict[str, Kind] = {
    "event": Kind(
        name="event",
        label="Event",
        emoji=":calendar:",
        keywords=("booth", "event", "expo", "conference", "trade show", "meetup", "webinar"),
        phrases=("save the date", "who can staff"),
        slots=2,
        question="Who will staff this event?",
    ),
    "blog_comment": Kind(
        name="blog_comment",
        label="Blog comment",
        emoji=":speech_balloon:",
        keywords=("blog comment", "comment"),
        phrases=("left a comment", "can someone reply", "can someone respond", "asked on the blog"),
        question="Who will answer this comment?",
    ),
    "gift_campaign": Kind(
        name="gift_campaign",
        label="Gift campaign",
        emoji=":gift:",
        keywords=("gift", "swag"),
        phrases=("care package", "send a thank-you"),
        question="Who will make sure every gift arrives and cover anyone missed?",
    ),
    # Made by Dibs when a campaign's recipient is marked missed (`/dibs gift ID missed NAME`).
    "gift_followup": Kind(
        name="gift_followup",
        label="Gift follow-up",
        emoji=":package:",
        keywords=("gift follow-up",),
        question="Who will arrange a gift for this recipient?",
    ),
}

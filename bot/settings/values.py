"""How a setting's value is read, and the one sentence a bad one gets.

Pydantic annotated types for the values several settings share (durations, clock times, time zones,
Slack ids), builders for the rest, and the base of every section: each reads what an admin writes
(`2h`, `09:00`, `S0123ABCD`...) and refuses anything else by saying what is accepted. Values built
in Python (a timedelta, a frozenset of days) pass as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import time, timedelta
from typing import Annotated, Any, Literal, NoReturn, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError, model_validator
from pydantic_core import PydanticCustomError

T = TypeVar("T")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SettingsError(ValueError):
    """A setting has a value Dibs cannot use; the message names the key and what is accepted."""


def refuse(message: str, *at: str | int) -> NoReturn:
    """Stop validation with `message` (what is wrong, what is accepted); `at` continues the key path
    below where pydantic is, for a check that looks into a mapping itself (a kind's unknown key, say)."""
    raise PydanticCustomError("dibs", "{message}", {"message": message, "at": at})


def settings_error(error: ValidationError, key: str = "") -> SettingsError:
    """The first of pydantic's errors as Dibs says it: the dotted key, a colon, the sentence
    (`nag.first_after: '0m' is not a duration; …`, `feeds[0].url: …`)."""
    first = error.errors(include_url=False)[0]
    ctx = first.get("ctx") or {}
    path = key
    for part in (*first["loc"], *ctx.get("at", ())):
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":  # pydantic's mark for a mapping's key: the key itself names it
            path += f".{part}" if path else str(part)
    # Only Python callers meet pydantic's own messages: every key of the file has its own sentence.
    text = str(ctx["message"]) if first["type"] == "dibs" else first["msg"][:1].lower() + first["msg"][1:]
    return SettingsError(f"{path}: {text}" if path else text)


def checked(key: str, adapter: TypeAdapter[T], value: object) -> T:
    """`value` read by `adapter`; a SettingsError naming `key` when it is refused."""
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        raise settings_error(error, key) from None


def mapping(value: object, *at: str) -> dict[Any, Any]:
    """A section as written: nothing is empty; anything but a mapping is refused."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        refuse(f"expected a mapping of keys to values, got {type(value).__name__}", *at)
    return dict(value)


def known_keys(value: object, accepted: Collection[str], *at: str) -> dict[str, Any]:
    """A section as written, each of its keys in `accepted`; the first unknown key is refused."""
    section = mapping(value, *at)
    unknown = sorted(str(key) for key in section if key not in accepted)
    if unknown:
        refuse(f"unknown setting; accepted keys are {', '.join(sorted(accepted))}", *at, unknown[0])
    return section


class Frozen(BaseModel):
    """Immutable, and refuses a field it does not have."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(Frozen):
    """A group of settings read from a mapping (the file's `nag:`, a kind, a feed): nothing reads as
    empty; anything but a mapping, or a key the section does not have, is refused."""

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        return cls._completed(known_keys(data, cls.model_fields))

    @classmethod
    def _completed(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The keys as written, with what a section adds (a hook for subclasses)."""
        return data


# --- builders ---------------------------------------------------------------------------


def only(test: Callable[[Any], object], say: Callable[[Any], str]) -> BeforeValidator:
    """Let through what passes `test`; refuse anything else with `say(value)`."""

    def check(value: Any) -> Any:
        if not test(value):
            refuse(say(value))
        return value

    return BeforeValidator(check)


def matches(pattern: str) -> Callable[[Any], bool]:
    """A test: text matching `pattern` whole."""
    return lambda value: isinstance(value, str) and re.fullmatch(pattern, value) is not None


def whole(low: int, high: int) -> BeforeValidator:
    """A whole number from `low` to `high` (true and false are not numbers)."""
    return only(
        lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high,
        lambda v: f"{v!r} is not accepted; use a whole number from {low} to {high}",
    )


def one_of(*words: str) -> BeforeValidator:
    """One of `words`, exactly."""
    return only(
        lambda v: isinstance(v, str) and v in words, lambda v: f"{v!r} is not accepted; use {' or '.join(words)}"
    )


def slack_id(pattern: str, what: str, example: str, *, or_none: bool = False) -> BeforeValidator:
    """A Slack id matching `pattern` (None too with `or_none`); refused as not a `what`, like `example`."""
    return only(
        lambda v: (or_none and v is None) or matches(pattern)(v),
        lambda v: f"{v!r} is not a {what}; use an id like {example}",
    )


# --- shared values ----------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def read_duration(value: object) -> timedelta:
    """`30s`, `15m`, `2h` or `1d` (a positive number and a unit), or a positive timedelta."""
    if isinstance(value, timedelta) and value > timedelta(0):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) <= 0:
        refuse(f"{value!r} is not a duration; write a positive number and a unit: 30s, 15m, 2h or 1d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def read_duration_or_off(value: object) -> timedelta | None:
    """A duration, or None for `off` (also none, false, 0)."""
    return None if value in ("off", "none", False, None, 0, "0") else read_duration(value)


def poll_every(value: object) -> timedelta:
    """How often a feed or calendar is read: a duration of a minute or more."""
    every = read_duration(value)
    if every < timedelta(minutes=1):
        refuse("poll at most once a minute (1m or more)")
    return every


def list_of(example: str) -> BeforeValidator:
    """A list of entries (nothing: none); anything else is refused as not a list of `example`."""

    def read(value: object) -> object:
        entries = value or ()
        if not isinstance(entries, list | tuple):
            refuse(f"expected a list of {example}")
        return entries

    return BeforeValidator(read)


class Entry(Protocol):
    """A feed or calendar entry: of a kind, and of a workspace (None: the bot token's)."""

    @property
    def kind(self) -> str: ...

    @property
    def team(self) -> str | None: ...


def check_entries(entries: Sequence[Entry], kinds: Mapping[str, object], many: bool, section: str, noun: str) -> None:
    """Refuse an entry of `section` of no kind, or without its workspace when Dibs serves many."""
    for number, entry in enumerate(entries):
        if entry.kind not in kinds:
            refuse(f"{entry.kind!r} is not a kind; kinds are {', '.join(sorted(kinds))}", section, number, "kind")
        if entry.team is None and many:
            why = f"Dibs serves many workspaces (SLACK_CLIENT_ID is set), so each {noun} names its workspace"
            refuse(f"{why}, like team: T0123ABCD", section, number, "team")


def read_clock(value: object) -> time:
    """A time of day written like 09:00 (also as YAML 1.1 reads an unquoted 10:30: the number 630)."""
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = "{:02d}:{:02d}".format(*divmod(value, 60))
    text = str(value)
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        refuse(f"{text!r} is not a time of day; write it like 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def read_days(text: str) -> frozenset[int]:
    """Days like `mon-fri`, `mon,wed,fri` or `fri-mon` (ranges wrap round the week), as 0 (Monday) to 6."""
    days: set[int] = set()
    for part in text.lower().split(","):
        ends = [end.strip() for end in part.split("-")]
        if len(ends) > 2 or any(end not in WEEKDAYS for end in ends):
            refuse(f"{text!r} has an unknown day; use mon, tue, wed, thu, fri, sat, sun")
        day, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        days.add(day)
        while day != last:
            day = (day + 1) % 7
            days.add(day)
    return frozenset(days)


def read_timezone(value: object) -> str:
    """An IANA time zone name like Europe/Berlin."""
    try:
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_+\-/]{1,64}", value):
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        refuse(f"{value!r} is not a time zone; use an IANA name like Europe/Berlin")
    return value


def read_date_order(value: object) -> str:
    """How a numeric date reads: MDY (1/20 is January 20) or DMY (20/1 is January 20)."""
    text = str(value).strip().upper().replace("/", "").replace("-", "") if isinstance(value, str) else ""
    if text not in ("MDY", "DMY"):
        refuse(f"{value!r} is not a date order; use MDY (1/20 is Jan 20) or DMY (20/1 is Jan 20)")
    return text


def read_emoji(value: object) -> str:
    """An emoji name like raising_hand, colons dropped."""
    if not matches(r":?[a-z0-9_+\-']+:?")(value):
        refuse(f"{value!r} is not an emoji name; write it like raising_hand")
    return str(value).strip(":")


Duration = Annotated[timedelta, BeforeValidator(read_duration)]
DurationOrOff = Annotated[timedelta | None, BeforeValidator(read_duration_or_off)]
Clock = Annotated[time, BeforeValidator(read_clock)]
TimeZoneName = Annotated[str, BeforeValidator(read_timezone)]
Emoji = Annotated[str, BeforeValidator(read_emoji)]
DateOrder = Annotated[Literal["MDY", "DMY"], BeforeValidator(read_date_order)]
GroupId = Annotated[str | None, slack_id(r"S[A-Z0-9]{2,20}", "user group id", "S0123ABCD", or_none=True)]
Flag = Annotated[bool, only(lambda v: isinstance(v, bool), lambda v: f"{v!r} is not accepted; use true or false")]
_DURATION_ADAPTER: TypeAdapter[timedelta] = TypeAdapter(Duration)


def parse_duration(key: str, value: object) -> timedelta:
    """Parse `30s`, `15m`, `2h` or `1d`; anything else is a SettingsError naming `key`."""
    return checked(key, _DURATION_ADAPTER, value)

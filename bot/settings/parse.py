"""Reading the settings: the environment, then an optional YAML file, every key validated."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.settings.model import (
    DEFAULT_API_URL,
    DEFAULT_DATABASE_URL,
    WEEKDAYS,
    DigestSettings,
    FeedSettings,
    Kind,
    NagSettings,
    NomineeSettings,
    Settings,
    SettingsError,
    StaffingSettings,
    StatsSettings,
    WorkingHours,
)

_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(key: str, value: object) -> timedelta:
    """Parse `30s`, `15m`, `2h` or `1d`; anything else is a SettingsError naming `key`."""
    match = _DURATION.match(str(value)) if isinstance(value, str | int) else None
    if not match or int(match.group(1)) <= 0:
        raise SettingsError(
            f"{key}: {value!r} is not a duration; write a positive number and a unit: 30s, 15m, 2h or 1d"
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def parse_timezone(key: str, value: object) -> str:
    """An IANA time zone name like Europe/Berlin; anything else is a SettingsError naming `key`."""
    try:
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_+\-/]{1,64}", value):
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SettingsError(f"{key}: {value!r} is not a time zone; use an IANA name like Europe/Berlin") from None
    return value


def parse_clock(key: str, value: str) -> time:
    """A time of day written like 09:00; anything else is a SettingsError naming `key`."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise SettingsError(f"{key}: {value!r} is not a time of day; write it like 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def _parse_days(key: str, value: str) -> frozenset[int]:
    days: set[int] = set()
    for part in value.lower().split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(end.strip() not in WEEKDAYS for end in ends):
            raise SettingsError(f"{key}: {value!r} has an unknown day; use mon, tue, wed, thu, fri, sat, sun")
        first, last = WEEKDAYS.index(ends[0].strip()), WEEKDAYS.index(ends[-1].strip())
        day = first
        while True:
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    return frozenset(days)


def parse_working_hours(value: object) -> WorkingHours:
    """Parse `always` or `"09:00-17:00 mon-fri"` (days optional, default mon-fri)."""
    key = "working_hours"
    if value == "always":
        return WorkingHours(always=True)
    parts = str(value).split()
    if not isinstance(value, str) or not parts or len(parts) > 2 or parts[0].count("-") != 1:
        raise SettingsError(f'{key}: {value!r} is not accepted; write always or like "09:00-17:00 mon-fri"')
    start_text, end_text = parts[0].split("-")
    start, end = parse_clock(key, start_text), parse_clock(key, end_text)
    if end <= start:
        raise SettingsError(f"{key}: the end {end_text} must come after the start {start_text}")
    days = _parse_days(key, parts[1]) if len(parts) == 2 else frozenset(range(5))
    return WorkingHours(always=False, start=start, end=end, days=days)


def _mapping(key: str, value: object) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SettingsError(f"{key}: expected a mapping of keys to values, got {type(value).__name__}")
    return value


def _check_keys(key: str, value: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        prefix = f"{key}." if key else ""
        raise SettingsError(f"{prefix}{unknown[0]}: unknown setting; accepted keys are {', '.join(sorted(allowed))}")


def _parse_kind(name: str, raw: Mapping[str, Any], base: Kind | None) -> Kind:
    key = f"kinds.{name}"
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", name):
        raise SettingsError(f"{key}: kind names are lower-case letters, digits and _, like trade_show")
    _check_keys(key, raw, {"keywords", "slots", "owner_group", "question", "done_needs_link", "rotation", "roles"})
    kind = base or Kind(name=name, keywords=())
    if "keywords" in raw:
        words = raw["keywords"]
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise SettingsError(f"{key}.keywords: expected a non-empty list of words or phrases")
        kind = replace(kind, keywords=tuple(w.strip().lower() for w in words))
    if "slots" in raw:
        slots = raw["slots"]
        if not isinstance(slots, int) or isinstance(slots, bool) or not 1 <= slots <= 50:
            raise SettingsError(f"{key}.slots: {slots!r} is not accepted; use a whole number from 1 to 50")
        kind = replace(kind, slots=slots)
    if "owner_group" in raw:
        kind = replace(kind, owner_group=parse_group(f"{key}.owner_group", raw["owner_group"]))
    if "question" in raw:
        if not isinstance(raw["question"], str) or not raw["question"].strip():
            raise SettingsError(f"{key}.question: expected the sentence the ownership thread asks")
        kind = replace(kind, question=raw["question"].strip())
    if "done_needs_link" in raw:
        if not isinstance(raw["done_needs_link"], bool):
            raise SettingsError(f"{key}.done_needs_link: expected true or false")
        kind = replace(kind, done_needs_link=raw["done_needs_link"])
    if "rotation" in raw:
        if raw["rotation"] not in ("fair", None, "none"):
            raise SettingsError(f"{key}.rotation: {raw['rotation']!r} is not accepted; use fair or none")
        kind = replace(kind, rotation="fair" if raw["rotation"] == "fair" else None)
    if "roles" in raw:
        kind = replace(kind, **_parse_roles(f"{key}.roles", raw["roles"]))
    if not kind.keywords:
        raise SettingsError(f"{key}.keywords: a new kind needs keywords to recognise its posts")
    return kind


ROLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,20}")
MAX_SEATS = 50


def _parse_roles(key: str, roles: object) -> dict[str, Any]:
    """`{lead: 1, staff: 2}`: role names and their seats, in order; the kind's slots become their sum."""
    if roles is None or roles == {}:
        return {"roles": ()}
    if not isinstance(roles, Mapping):
        raise SettingsError(f"{key}: expected roles and their seats, like {{lead: 1, staff: 2}}")
    parsed: list[tuple[str, int]] = []
    for name, seats in roles.items():
        if not isinstance(name, str) or not ROLE_NAME.fullmatch(name):
            raise SettingsError(f"{key}: {name!r} is not a role name; use lower-case letters, digits and _, like staff")
        parsed.append((name, _count(f"{key}.{name}", seats, 1, MAX_SEATS)))
    if sum(n for _, n in parsed) > MAX_SEATS:
        raise SettingsError(f"{key}: at most {MAX_SEATS} seats in all")
    return {"roles": tuple(parsed), "slots": sum(n for _, n in parsed)}


def _duration_or_off(key: str, value: object) -> timedelta | None:
    """A duration, or `off` (None)."""
    if value in ("off", "none", False, None, 0, "0"):
        return None
    return parse_duration(key, value)


def _parse_staffing(data: Mapping[str, Any]) -> StaffingSettings:
    result = StaffingSettings()
    if "offer_expires_after" in data:
        window = _duration_or_off("offer_expires_after", data["offer_expires_after"])
        result = replace(result, offer_expires_after=window or timedelta(0))
    roster = _mapping("roster", data.get("roster"))
    _check_keys("roster", roster, {"before"})
    if "before" in roster:
        result = replace(result, roster_before=_duration_or_off("roster.before", roster["before"]))
    return result


def parse_group(key: str, group: object) -> str | None:
    """A Slack user group id like S0123ABCD (or nothing); anything else is a SettingsError naming `key`."""
    if group is not None and not (isinstance(group, str) and re.fullmatch(r"S[A-Z0-9]{2,20}", group)):
        raise SettingsError(f"{key}: {group!r} is not a user group id; use an id like S0123ABCD")
    return group


def _parse_feed(number: int, raw: object, settings: Settings) -> FeedSettings:
    key = f"feeds[{number}]"
    entry = _mapping(key, raw)
    _check_keys(key, entry, {"url", "channel", "kind", "every", "backfill", "team"})
    url, channel = entry.get("url"), entry.get("channel")
    if not isinstance(url, str) or not re.fullmatch(r"https?://\S{3,990}", url):
        raise SettingsError(
            f"{key}.url: {url!r} is not a feed address; write it like https://blog.example.com/comments/feed/"
        )
    if not isinstance(channel, str) or not re.fullmatch(r"[CG][A-Z0-9]{2,20}", channel):
        raise SettingsError(f"{key}.channel: {channel!r} is not a channel id; use an id like C0123ABCD")
    kind = entry.get("kind", "blog_comment")
    if kind not in settings.kinds:
        raise SettingsError(f"{key}.kind: {kind!r} is not a kind; kinds are {', '.join(sorted(settings.kinds))}")
    every = parse_duration(f"{key}.every", entry["every"]) if "every" in entry else timedelta(minutes=10)
    if every < timedelta(minutes=1):
        raise SettingsError(f"{key}.every: poll at most once a minute (1m or more)")
    backfill = _count(f"{key}.backfill", entry.get("backfill", 0), 0, 50)
    team = entry.get("team")
    if team is not None and not (isinstance(team, str) and re.fullmatch(r"T[A-Z0-9]{2,20}", team)):
        raise SettingsError(f"{key}.team: {team!r} is not a workspace id; use an id like T0123ABCD")
    if team is None and settings.many_workspaces:
        raise SettingsError(
            f"{key}.team: Dibs serves many workspaces (SLACK_CLIENT_ID is set), so each feed names its workspace,"
            " like team: T0123ABCD"
        )
    return FeedSettings(url=url, channel=channel, kind=str(kind), every=every, backfill=backfill, team=team)


def _parse_reaction(key: str, value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r":?[a-z0-9_+\-']+:?", value):
        raise SettingsError(f"{key}: {value!r} is not an emoji name; write it like raising_hand")
    return value.strip(":")


def _count(key: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise SettingsError(f"{key}: {value!r} is not accepted; use a whole number from {low} to {high}")
    return value


def _parse_nag(nag: Mapping[str, Any]) -> NagSettings:
    durations = {"first_after", "every", "escalate_after", "dm_poster_after"}
    _check_keys("nag", nag, {*durations, "max_pings_per_day", "coalesce_over", "due_reminders", "stale_claim_after"})
    result = NagSettings()
    if "stale_claim_after" in nag:
        result = replace(result, stale_claim_after=_duration_or_off("nag.stale_claim_after", nag["stale_claim_after"]))
    for key in durations & set(nag):
        result = replace(result, **{key: parse_duration(f"nag.{key}", nag[key])})  # type: ignore[arg-type]
    if "max_pings_per_day" in nag:
        result = replace(result, max_pings_per_day=_count("nag.max_pings_per_day", nag["max_pings_per_day"], 1, 100))
    if "coalesce_over" in nag:
        result = replace(result, coalesce_over=_count("nag.coalesce_over", nag["coalesce_over"], 1, 1000))
    if "due_reminders" in nag:
        before = nag["due_reminders"] or []
        if not isinstance(before, list):
            raise SettingsError("nag.due_reminders: expected a list of durations before the due date, like [3d, 1d]")
        offsets = sorted((parse_duration("nag.due_reminders", v) for v in before), reverse=True)
        result = replace(result, due_reminders=tuple(offsets))
    return result


def _parse_digest(digest: Mapping[str, Any]) -> DigestSettings:
    _check_keys("digest", digest, {"at", "days", "when_empty", "when_unchanged"})
    result = DigestSettings()
    if "at" in digest:
        at = digest["at"]
        if isinstance(at, int) and not isinstance(at, bool):  # YAML 1.1 reads an unquoted 10:30 as 630
            at = "{:02d}:{:02d}".format(*divmod(at, 60))
        result = replace(result, at=parse_clock("digest.at", str(at)))
    if "days" in digest:
        days = str(digest["days"]).strip().lower()
        result = replace(result, days=frozenset() if days == "none" else _parse_days("digest.days", days))
    if "when_empty" in digest:
        if digest["when_empty"] not in ("one_line", "skip"):
            raise SettingsError(f"digest.when_empty: {digest['when_empty']!r} is not accepted; use one_line or skip")
        result = replace(result, when_empty=digest["when_empty"])
    if "when_unchanged" in digest:
        if digest["when_unchanged"] not in ("post", "skip"):
            raise SettingsError(
                f"digest.when_unchanged: {digest['when_unchanged']!r} is not accepted; use post or skip"
            )
        result = replace(result, when_unchanged=digest["when_unchanged"])
    return result


def _parse_stats(stats: Mapping[str, Any]) -> StatsSettings:
    _check_keys("stats", stats, {"chart"})
    if "chart" in stats and not isinstance(stats["chart"], bool):
        raise SettingsError(f"stats.chart: {stats['chart']!r} is not accepted; use true or false")
    return StatsSettings(chart=stats.get("chart", True))


def _parse_nominee(nominee: Mapping[str, Any]) -> NomineeSettings:
    _check_keys("nominee", nominee, {"skip_status", "lookback"})
    result = NomineeSettings()
    if "skip_status" in nominee:
        emoji = nominee["skip_status"] or []
        if not isinstance(emoji, list):
            raise SettingsError(
                "nominee.skip_status: expected a list of emoji names, like [palm_tree, face_with_thermometer]"
            )
        result = replace(result, skip_status=frozenset(_parse_reaction("nominee.skip_status", e) for e in emoji))
    if "lookback" in nominee:
        result = replace(result, lookback=parse_duration("nominee.lookback", nominee["lookback"]))
    return result


TOP_LEVEL_KEYS = {"timezone", "working_hours", "nag", "digest", "stats", "reactions", "kinds", "feeds", "retry_every",
                  "admins", "accept_bots", "nominee", "offer_expires_after", "roster"}  # fmt: skip


def settings_from_yaml(data: Mapping[str, Any], base: Settings) -> Settings:
    """Apply a parsed YAML document to `base`, validating every key."""
    _check_keys("", data, TOP_LEVEL_KEYS)
    result = base
    if "timezone" in data:
        result = replace(result, timezone=parse_timezone("timezone", data["timezone"]))
    if "working_hours" in data:
        result = replace(result, working_hours=parse_working_hours(data["working_hours"]))
    result = replace(result, nag=_parse_nag(_mapping("nag", data.get("nag"))))
    result = replace(result, digest=_parse_digest(_mapping("digest", data.get("digest"))))
    result = replace(result, stats=_parse_stats(_mapping("stats", data.get("stats"))))
    result = replace(result, nominee=_parse_nominee(_mapping("nominee", data.get("nominee"))))
    result = replace(result, staffing=_parse_staffing(data))
    reactions = _mapping("reactions", data.get("reactions"))
    _check_keys("reactions", reactions, {"claim", "done"})
    if "claim" in reactions:
        result = replace(result, claim_reaction=_parse_reaction("reactions.claim", reactions["claim"]))
    if "done" in reactions:
        result = replace(result, done_reaction=_parse_reaction("reactions.done", reactions["done"]))
    if result.claim_reaction == result.done_reaction:
        raise SettingsError("reactions: claim and done must be different emoji")
    kinds = dict(result.kinds)
    for name, raw in _mapping("kinds", data.get("kinds")).items():
        kinds[str(name)] = _parse_kind(str(name), _mapping(f"kinds.{name}", raw), kinds.get(str(name)))
    result = replace(result, kinds=kinds)
    if "feeds" in data:
        feeds = data["feeds"] or []
        if not isinstance(feeds, list):
            raise SettingsError("feeds: expected a list of feed entries like {url: https://…, channel: C0123}")
        result = replace(result, feeds=tuple(_parse_feed(n, raw, result) for n, raw in enumerate(feeds)))
    if "accept_bots" in data:
        bots = data["accept_bots"] or []
        if not isinstance(bots, list) or not all(
            isinstance(b, str) and re.fullmatch(r"[AB][A-Z0-9]{2,20}", b) for b in bots
        ):
            raise SettingsError("accept_bots: expected a list of bot ids (B0123ABC) or app ids (A0123ABC)")
        result = replace(result, accept_bots=frozenset(bots))
    if "admins" in data:
        result = replace(result, admins=parse_group("admins", data["admins"]))
    if "retry_every" in data:
        result = replace(result, retry_every=parse_duration("retry_every", data["retry_every"]))
    return result


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from `environ` (default: the process environment) and `DIBS_CONFIG`."""
    env = os.environ if environ is None else environ
    api_url = env.get("SLACK_API_URL") or DEFAULT_API_URL
    if not re.match(r"https?://", api_url):
        raise SettingsError(f"SLACK_API_URL: {api_url!r} is not a URL; write it like https://slack.com/api/")
    settings = Settings(
        bot_token=env.get("SLACK_BOT_TOKEN") or None,
        signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        app_token=env.get("SLACK_APP_TOKEN") or None,
        client_id=env.get("SLACK_CLIENT_ID") or None,
        client_secret=env.get("SLACK_CLIENT_SECRET") or None,
        state_secret=env.get("SLACK_STATE_SECRET") or None,
        redirect_uri=env.get("SLACK_REDIRECT_URI") or None,
        intake_token=env.get("DIBS_INTAKE_TOKEN") or None,
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
    )
    config_path = env.get("DIBS_CONFIG")
    if not config_path:
        return settings
    path = Path(config_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"DIBS_CONFIG: cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"DIBS_CONFIG: {path} is not valid YAML: {exc}") from None
    return settings_from_yaml(_mapping("DIBS_CONFIG", data), settings)

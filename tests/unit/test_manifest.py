"""app_manifest.yml: valid for Slack, and in step with the listeners and Web API calls in the code.

The manifest is what an admin pastes into https://api.slack.com/apps to create Dibs. If it lacks an
event subscription, Slack never sends that event; if it lacks a scope, the call fails in production
only. These tests read the listeners off a real Bolt app and the Web API calls off the source.
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from re import Pattern
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7
from slack_bolt import App
from slack_sdk import WebClient

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import SECRET
from tests.support.fakeslack import FakeSlack
from tests.support.payloads import CHANNEL, Sender, message_event, new_ts, reaction_event

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = ROOT / "app_manifest.yml"
SCHEMA_DIR = Path(__file__).resolve().parents[3] / "shared" / "slack" / "manifest-schema"
MANIFEST: dict[str, Any] = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))

# Adding a scope makes every workspace admin re-approve the app: change this set on purpose only.
EXPECTED_BOT_SCOPES = {
    "commands",
    "chat:write",
    "reactions:read",
    "channels:history",
    "groups:history",
    "channels:join",
    "channels:read",
    "groups:read",
    "usergroups:read",
    "files:read",
    "files:write",
    "im:write",
    "users:read",
    "dnd:read",
}

# An event type as Bolt listens to it -> the subscriptions Slack delivers it under. Dibs watches
# public channels and private channels it was invited to; DMs and group DMs are not watched.
SUBSCRIPTIONS_FOR_EVENT = {"message": {"message.channels", "message.groups"}}

# The bot scope each subscription needs (None: no scope of its own).
SCOPE_FOR_BOT_EVENT: dict[str, str | None] = {
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
    "reaction_added": "reactions:read",
    "reaction_removed": "reactions:read",
    "app_home_opened": None,
    "app_mention": "app_mentions:read",
    "channel_archive": "channels:read",
    "channel_unarchive": "channels:read",
    "group_archive": "groups:read",
    "group_unarchive": "groups:read",
    "subteam_members_changed": "usergroups:read",
    "subteam_updated": "usergroups:read",
    "app_uninstalled": None,
    "tokens_revoked": None,
    "user_change": "users:read",
}

# The bot scope each Web API method needs (None: no scope of its own). chat.postMessage to a user id
# posts in the app's Messages tab with chat:write alone; im:write is only for conversations.open.
SCOPE_FOR_METHOD: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.delete": "chat:write",
    "chat.getPermalink": None,
    "conversations.join": "channels:join",
    "conversations.replies": "channels:history",
    "conversations.history": "channels:history",
    "conversations.open": "im:write",
    "conversations.info": "channels:read",
    "views.open": None,
    "views.publish": None,
    "views.update": None,
    "views.push": None,
    "reactions.get": "reactions:read",
    "reactions.add": "reactions:write",
    "reactions.remove": "reactions:write",
    "users.info": "users:read",
    "dnd.teamInfo": "dnd:read",
    "usergroups.users.list": "usergroups:read",
    "files.info": "files:read",
    "files.upload.v2": "files:write",
    "users.conversations": "channels:read",
}

# What each declared bot event looks like when Slack sends it (the `event` of an event_callback).
SAMPLE_EVENTS: dict[str, Any] = {
    "message.channels": lambda: message_event("Lunch is on Friday", channel=CHANNEL, channel_type="channel"),
    "message.groups": lambda: message_event("Lunch is on Friday", channel="G111", channel_type="group"),
    "reaction_added": lambda: reaction_event("reaction_added", "U222", new_ts()),
    "reaction_removed": lambda: reaction_event("reaction_removed", "U222", new_ts()),
    "app_home_opened": lambda: {
        "type": "app_home_opened",
        "user": "U222",
        "channel": "D111",
        "tab": "home",
        "event_ts": new_ts(),
    },
    "channel_archive": lambda: {"type": "channel_archive", "channel": "C999", "user": "U222"},
    "channel_unarchive": lambda: {"type": "channel_unarchive", "channel": "C999", "user": "U222"},
    "group_archive": lambda: {"type": "group_archive", "channel": "G999"},
    "group_unarchive": lambda: {"type": "group_unarchive", "channel": "G999"},
    "subteam_members_changed": lambda: {
        "type": "subteam_members_changed",
        "subteam_id": "S0614TZR7",
        "team_id": "T111",
        "added_users": ["U060RNRCZ"],
        "removed_users": [],
    },
    "subteam_updated": lambda: {
        "type": "subteam_updated",
        "subteam": {"id": "S0614TZR7", "team_id": "T111", "users": ["U060RNRCZ"], "user_count": 1},
        "event_ts": new_ts(),
    },
    "user_change": lambda: {
        "type": "user_change",
        "user": {
            "id": "U222",
            "team_id": "T111",
            "tz": "Europe/Berlin",
            "profile": {"status_emoji": ":palm_tree:", "status_text": "Vacation", "status_expiration": 0},
        },
        "event_ts": new_ts(),
    },
    "app_uninstalled": lambda: {"type": "app_uninstalled"},
    "tokens_revoked": lambda: {"type": "tokens_revoked", "tokens": {"oauth": ["UXXXXXXXX"], "bot": []}},
}

# Listener kinds that Slack sends to the interactivity request URL.
INTERACTIVE_KINDS = {
    "action",
    "block_action",
    "attachment_action",
    "dialog_submission",
    "dialog_cancellation",
    "view",
    "view_submission",
    "view_closed",
    "shortcut",
    "global_shortcut",
    "message_shortcut",
    "block_suggestion",
    "dialog_suggestion",
    "options",
}


def bot_events() -> list[str]:
    return list(MANIFEST["settings"]["event_subscriptions"]["bot_events"])


def bot_scopes() -> list[str]:
    return list(MANIFEST["oauth_config"]["scopes"]["bot"])


def slash_commands() -> dict[str, dict[str, Any]]:
    return {entry["command"]: entry for entry in MANIFEST["features"].get("slash_commands", [])}


# ---------------------------------------------------------------------------------------------
# Slack's JSON Schema


def schema_dir() -> Path:
    """../shared/slack/manifest-schema; skipped when absent, except on CI (which has it)."""
    if not (SCHEMA_DIR / "manifest.schema.json").is_file():
        reason = f"Slack's app manifest schema ships in ../shared/ and is absent here ({SCHEMA_DIR})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set: CI must have the schema")
        pytest.skip(reason)
    return SCHEMA_DIR


def _load_schema(path: Path) -> dict[str, Any]:
    # Every file is draft-07. Their "$schema" is dropped because jsonschema would answer it by
    # switching to the stock Draft7Validator on entering the file, losing the `regex` keyword below.
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert schema.pop("$schema", "http://json-schema.org/draft-07/schema#").startswith(
        "http://json-schema.org/draft-07/"
    ), f"{path} is no longer a draft-07 schema"
    return schema


def _regex(validator: Any, regex: str, instance: Any, schema: dict[str, Any]) -> Iterator[jsonschema.ValidationError]:
    # Slack's schema writes `regex` where JSON Schema says `pattern` (background_color); without this
    # keyword jsonschema would ignore it and accept any colour.
    if validator.is_type(instance, "string") and not re.search(regex, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {regex!r}")


SlackManifestValidator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"regex": _regex})


@pytest.fixture(scope="module")
def validator() -> Any:
    """A validator for manifest.schema.json whose $refs resolve to the files next to it, never the network.

    The top-level schema picks a version with oneOf and points at each version's schema by its
    absolute raw.githubusercontent.com URL (pinned to a release tag); those files carry no $id of
    their own and refer inside themselves with `#/definitions/…`. Each URL is served from
    schemas/<file name> here, so the vendored copy is what gets checked.
    """
    root_dir = schema_dir()
    root = _load_schema(root_dir / "manifest.schema.json")

    def retrieve(uri: str) -> Resource:
        local = root_dir / "schemas" / uri.rsplit("/", 1)[-1]
        if not uri.startswith("https://raw.githubusercontent.com/slackapi/manifest-schema/") or not local.is_file():
            raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
        return Resource.from_contents(_load_schema(local), default_specification=DRAFT7)

    registry: Registry = Registry(retrieve=retrieve).with_resource(  # type: ignore[call-arg]
        root["$id"], Resource.from_contents(root, default_specification=DRAFT7)
    )
    jsonschema.Draft7Validator.check_schema(root)
    return SlackManifestValidator(root, registry=registry)


def schema_errors(validator: Any, manifest: Any) -> list[str]:
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    lines = []
    for error in errors:
        lines.append(f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}")
        for sub in sorted(error.context or [], key=lambda e: list(e.absolute_path)):
            lines.append(f"    {'/'.join(map(str, sub.absolute_path)) or '(top)'}: {sub.message}")
    return lines


def test_manifest_is_valid_for_slack(validator: Any) -> None:
    assert schema_errors(validator, MANIFEST) == []
    assert MANIFEST["_metadata"]["major_version"] == 2


@pytest.mark.parametrize(
    "path, value",
    [
        (("display_information", "name"), "D" * 36),
        (("display_information", "background_color"), "navy"),
        (("features", "bot_user", "always_online"), "yes"),
        (("features", "slash_commands"), [{"command": "dibs", "description": "no leading slash"}]),
        (("settings", "interactivity", "request_url"), "dibs.example.com/slack/events"),
        (("settings", "event_subscriptions", "bot_events"), ["reaction_added", "reaction_added"]),
        (("settings", "not_a_setting"), True),
        (("_metadata", "major_version"), 3),
    ],
)
def test_schema_rejects_a_broken_manifest(validator: Any, path: tuple[str, ...], value: Any) -> None:
    """The $refs really resolve: the version schemas' rules bite, not just the top-level oneOf."""
    broken = json.loads(json.dumps(MANIFEST))
    parent = broken
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value

    def paths(errors: Any) -> Iterator[tuple[Any, ...]]:
        for error in errors:
            yield tuple(error.absolute_path)
            yield from paths(error.context or [])

    # An error at the broken value (or at its parent, for an unknown key), not only "matches no oneOf".
    found = set(paths(validator.iter_errors(broken)))
    assert any(where and (where[: len(path)] == path or where == path[:-1]) for where in found), found


# ---------------------------------------------------------------------------------------------
# What the code registers


@dataclass(frozen=True)
class Registration:
    kind: str  # the slack_bolt.listener_matcher.builtins function: event, command, action, view_submission...
    key: str | Pattern[str]  # the event type, command, action id or callback id
    handler: str


def registrations(app: App) -> list[Registration]:
    """What each Bolt listener answers, read from its first (built-in) matcher.

    Bolt's built-in matchers are closures over what was passed to app.event(...), app.command(...)
    and so on (slack_bolt/listener_matcher/builtins.py); the enclosing function names the kind.
    """
    found = []
    for listener in app._listeners:
        matcher = listener.matchers[0] if listener.matchers else None
        func = getattr(matcher, "func", None)
        if func is None or not func.__closure__ or ".<locals>." not in func.__qualname__:
            raise AssertionError(f"cannot read the listener {listener.ack_function}: teach tests/unit/test_manifest.py")
        kind = func.__qualname__.split(".<locals>.")[0]
        cells = dict(zip(func.__code__.co_freevars, (cell.cell_contents for cell in func.__closure__), strict=True))
        names = ("event_type", "command", "callback_id", "constraints")
        key = next((cells[name] for name in names if name in cells), None)
        if isinstance(key, dict):
            key = key.get("type") if kind == "event" else key.get("action_id") or key.get("callback_id")
        if not isinstance(key, str | Pattern):
            raise AssertionError(f"cannot read what {listener.ack_function} listens to: {cells!r}")
        found.append(Registration(kind, str(key) if isinstance(key, str) else key, listener.ack_function.__name__))
    return found


@pytest.fixture
def app(fake: FakeSlack, tmp_path: Path) -> Iterator[App]:
    """The real app with every listener registered (SQLite only: the database is not the point here)."""
    settings = Settings(
        bot_token="xoxb-test",
        signing_secret=SECRET,
        api_url=fake.base_url,
        database_url=f"sqlite:///{tmp_path / 'dibs.db'}",
    )
    bot = create_app(settings)
    yield bot.app
    bot.shutdown()


def event_types(app: App) -> set[str]:
    types = set()
    for registration in registrations(app):
        if registration.kind == "event":
            if not isinstance(registration.key, str):
                raise AssertionError(f"{registration.handler} listens to a pattern; list its event types explicitly")
            types.add(registration.key)
    return types


def test_the_listeners_are_readable(app: App) -> None:
    """A sanity check of `registrations` against what handlers/ registers today."""
    found = {(r.kind, r.key) for r in registrations(app)}
    assert ("event", "message") in found
    assert ("command", "/dibs") in found
    assert ("action", "dibs_claim") in found
    assert ("view_submission", "dibs_done_link") in found


def test_every_event_the_code_listens_to_is_subscribed(app: App) -> None:
    declared = set(bot_events())
    for event_type in sorted(event_types(app)):
        needed = SUBSCRIPTIONS_FOR_EVENT.get(event_type, {event_type})
        assert needed <= declared, f"the code listens to {event_type!r}; subscribe to {sorted(needed - declared)}"


@pytest.mark.parametrize("bot_event", bot_events())
def test_every_subscribed_event_is_handled(app: App, fake: FakeSlack, bot_event: str) -> None:
    """Each declared bot event has a listener, and a realistic delivery of it is not 'unhandled'."""
    event_type = bot_event.split(".", 1)[0]
    assert event_type in event_types(app), f"{bot_event} is subscribed but nothing listens to {event_type!r}"
    assert bot_event in SAMPLE_EVENTS, f"add a sample {bot_event} event to SAMPLE_EVENTS"
    event = SAMPLE_EVENTS[bot_event]()
    assert event["type"] == event_type
    reply = Sender(SECRET, app=app).event(event)
    assert reply.status == 200, f"{bot_event}: {reply.status} {reply.body}"
    assert "unhandled" not in reply.body


def test_the_declared_slash_commands_are_exactly_the_handled_ones(app: App) -> None:
    handled = {str(r.key) for r in registrations(app) if r.kind == "command"}
    assert set(slash_commands()) == handled
    reply = Sender(SECRET, app=app).command("help")
    assert reply.status == 200, reply.body
    assert "/dibs watch" in reply.body


def test_dibs_command_is_declared_for_escaped_mentions() -> None:
    """`/dibs assign 12 @ana` must arrive as `<@U…|ana>`: bot.slack.commands only understands that form."""
    dibs = slash_commands()["/dibs"]
    assert dibs["should_escape"] is True
    for word in ("help", "watch", "unwatch", "new", "list", "claim", "release", "done", "assign"):
        assert word in dibs["usage_hint"]


def test_interactivity_is_enabled_because_the_code_has_buttons_and_modals(app: App) -> None:
    interactive = [r for r in registrations(app) if r.kind in INTERACTIVE_KINDS]
    assert interactive, "no actions or views are registered: turn interactivity off"
    interactivity = MANIFEST["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert interactivity["request_url"]


def test_every_listener_kind_is_accounted_for(app: App) -> None:
    """A new kind of listener (a shortcut, an options load...) may need more manifest: look before adding it."""
    kinds = {r.kind for r in registrations(app)}
    assert kinds <= {"event", "command", *INTERACTIVE_KINDS}, kinds
    shortcut_kinds = ("shortcut", "global_shortcut", "message_shortcut")
    shortcuts = {str(r.key) for r in registrations(app) if r.kind in shortcut_kinds}
    declared = {s["callback_id"] for s in MANIFEST["features"].get("shortcuts", [])}
    assert shortcuts == declared, "every shortcut the code answers is declared in features.shortcuts, and no other"
    assert not kinds & {"block_suggestion", "dialog_suggestion", "options"}, "set message_menu_options_url"


def test_home_and_messages_tabs(app: App) -> None:
    app_home = MANIFEST["features"]["app_home"]
    assert app_home["home_tab_enabled"] is ("app_home_opened" in event_types(app))
    # Dibs DMs people by posting to their user id, which lands in the Messages tab...
    assert app_home["messages_tab_enabled"] is True
    # ...but nobody reads what they type there, so they should not be able to.
    assert "message.im" not in bot_events()
    assert app_home["messages_tab_read_only_enabled"] is True


def test_every_request_url_is_the_one_bolt_serves() -> None:
    """HTTP mode serves events, commands and interactivity at one path: POST /slack/events."""
    settings = MANIFEST["settings"]
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(command["url"] for command in slash_commands().values()),
    }
    assert len(urls) == 1, urls
    [url] = urls
    assert url.startswith("https://") and url.endswith("/slack/events"), url
    assert settings["socket_mode_enabled"] is False


# ---------------------------------------------------------------------------------------------
# Scopes


def test_bot_scopes_are_exactly_the_expected_ones() -> None:
    from bot.slack.scopes import BOT_SCOPES  # what `dibs doctor` compares a token's scopes with

    assert list(BOT_SCOPES) == bot_scopes()
    scopes = bot_scopes()
    assert len(scopes) == len(set(scopes)), "a scope is listed twice"
    assert set(scopes) == EXPECTED_BOT_SCOPES
    assert "reactions:write" not in scopes, "Dibs reads reactions, it never adds them"
    assert not MANIFEST["oauth_config"]["scopes"].get("user"), "Dibs acts as its bot user only"


def web_api_methods() -> dict[str, list[str]]:
    """Every Slack Web API method called in bot/, handlers/ and store/ -> where (file:line)."""
    api_methods = {name for name in vars(WebClient) if not name.startswith("_") and callable(vars(WebClient)[name])}
    calls: dict[str, list[str]] = {}
    for package in ("bot", "handlers", "store"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                name = node.func.attr
                if name == "api_call" and node.args and isinstance(node.args[0], ast.Constant):
                    method = str(node.args[0].value)
                elif name in api_methods and name != "api_call":
                    method = name.replace("_", ".")
                else:
                    continue
                calls.setdefault(method, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return calls


def test_the_code_calls_the_web_api_methods_it_is_known_to() -> None:
    """Guards the scan below: it must see the calls made today."""
    assert {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "auth.test",
        "conversations.join",
        "views.open",
        "views.publish",
    } <= set(web_api_methods())


def test_every_scope_is_needed_and_every_need_is_declared(app: App) -> None:
    """Scopes from the Web API calls, the subscriptions and the slash commands = the declared scopes."""
    needed: dict[str, list[str]] = {}
    for method, where in sorted(web_api_methods().items()):
        assert method in SCOPE_FOR_METHOD, f"{method} ({', '.join(where)}): add its scope to SCOPE_FOR_METHOD"
        if SCOPE_FOR_METHOD[method]:
            needed.setdefault(str(SCOPE_FOR_METHOD[method]), []).append(method)
    for bot_event in bot_events():
        assert bot_event in SCOPE_FOR_BOT_EVENT, f"{bot_event}: add its scope to SCOPE_FOR_BOT_EVENT"
        if SCOPE_FOR_BOT_EVENT[bot_event]:
            needed.setdefault(str(SCOPE_FOR_BOT_EVENT[bot_event]), []).append(bot_event)
    if slash_commands():
        needed.setdefault("commands", []).extend(slash_commands())
    declared = set(bot_scopes())
    assert set(needed) <= declared, f"missing scopes: { {s: needed[s] for s in set(needed) - declared} }"
    assert declared <= set(needed), f"scopes nothing uses: {sorted(declared - set(needed))}"


def test_an_install_asks_for_exactly_the_manifests_bot_scopes() -> None:
    """With many workspaces the install link names the scopes itself: the same as the manifest's."""
    from bot.installs import oauth
    from bot.slack.scopes import BOT_SCOPES

    assert oauth.BOT_SCOPES is BOT_SCOPES and list(BOT_SCOPES) == bot_scopes()


def test_the_redirect_url_is_the_one_dibs_serves_on_the_same_host() -> None:
    from bot.installs.oauth import REDIRECT_PATH

    [redirect] = MANIFEST["oauth_config"]["redirect_urls"]
    events = MANIFEST["settings"]["event_subscriptions"]["request_url"]
    assert redirect.startswith("https://") and redirect.endswith(REDIRECT_PATH)
    assert redirect.removesuffix(REDIRECT_PATH) == events.removesuffix("/slack/events")
    assert MANIFEST["settings"]["org_deploy_enabled"] is False, "org-wide installs are not supported"

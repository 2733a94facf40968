"""Everything Dibs says over a marketing team's week, as plain text in one file (`what_dibs_says.txt`) that is
read and reviewed with every change to Dibs's words: this test fails on any difference.

After changing a message on purpose, write the file anew and read its diff:

    DIBS_WRITE_GOLDEN=1 .venv/bin/pytest tests/golden

A marketing lead (Ana), a colleague who posts (Max), two salespeople (Ben, Chloe) and a colleague (Dev) use
Dibs in #events and #marketing from Monday morning to Tuesday's morning edition, on the settings' defaults,
in-process against the fake Slack, on a frozen clock. Each step's heading says what a person did; under it,
every message Dibs sent, updated or answered with, drawn as a person reads it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from bench.noise import team_bot
from bot.app import Dibs
from tests.support.fakeslack import Call, FakeSlack
from tests.support.payloads import Reply, Sender, block_action, message_event, reaction_event

GOLDEN = Path(__file__).with_name("what_dibs_says.txt")
SECRET = "golden-signing-secret"
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
EVENTS, MARKETING = "C0EVENTS", "C0MARKETING"
SALES = "S0SALES"
NAMES = {
    "U0ANA": "Ana", "U0MAX": "Max", "U0BEN": "Ben", "U0CHLOE": "Chloe", "U0DEV": "Dev",
    EVENTS: "events", MARKETING: "marketing",
}  # fmt: skip


def _people(text: str) -> str:
    """Mentions and channel links as Slack shows them; message ids and times that differ per run as words."""
    text = re.sub(r"<@([UW][A-Z0-9]+)>", lambda m: "@" + NAMES.get(m.group(1), m.group(1)), text)
    text = re.sub(r"<#([CDG][A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "#" + NAMES.get(m.group(1), m.group(1)), text)
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (link)", text)
    return re.sub(r"\d{10}\.\d{6}", "TS", text)


def _element(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind in ("button", "overflow", "static_select", "users_select", "datepicker", "timepicker"):
        label = (element.get("text") or element.get("placeholder") or {}).get("text", kind)
        return f"[{label}]"
    if kind in ("mrkdwn", "plain_text"):
        return str(element.get("text", ""))
    if kind == "image":
        return f"(image: {element.get('alt_text', '')})"
    return f"({kind})"


def _blocks(blocks: list[dict[str, Any]]) -> list[str]:
    """A Block Kit message as lines of plain text, buttons in brackets."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "section"):
            if block.get("text"):
                lines += str(block["text"].get("text", "")).splitlines()
            lines += [str(f.get("text", "")) for f in block.get("fields", [])]
            if block.get("accessory"):
                lines.append(_element(block["accessory"]))
        elif kind in ("context", "actions"):
            lines.append(" ".join(_element(e) for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("---")
        elif kind == "input":
            lines.append(f"{block.get('label', {}).get('text', '')}: {_element(block.get('element', {}))}")
        elif kind == "rich_text":
            lines.append("(rich text)")
        else:
            lines.append(f"({kind})")
    return lines


def _message(params: dict[str, Any]) -> list[str]:
    blocks = params.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if blocks:
        return _blocks(blocks)
    return str(params.get("text", "")).splitlines()


def _where(params: dict[str, Any]) -> str:
    channel = str(params.get("channel") or params.get("channel_id") or params.get("user_id") or "")
    if channel[:1] in ("U", "D"):
        return "DM to @" + NAMES.get("U" + channel[1:], channel)
    thread = " in a thread" if params.get("thread_ts") else ""
    return f"#{NAMES.get(channel, channel)}{thread}"


def _call(call: Call) -> list[str]:
    """One Web API call Slack accepted, as a heading and the message's lines."""
    params = call.params
    if call.method == "chat.postMessage":
        head = f"posts {_where(params)}"
    elif call.method == "chat.postEphemeral":
        head = f"privately to @{NAMES.get(str(params.get('user')), params.get('user'))} {_where(params)}"
    elif call.method == "chat.update":
        head = f"updates its message {_where(params)}"
    elif call.method == "chat.delete":
        return [f"deletes its message {_where(params)}"]
    elif call.method == "views.publish":
        view = params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        return [f"draws @{NAMES.get(str(params.get('user_id')), '?')}'s Home tab", *_blocks(view.get("blocks", []))]
    elif call.method == "views.open":
        view = params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        return [f"opens a form: {view.get('title', {}).get('text', '')}", *_blocks(view.get("blocks", []))]
    elif call.method == "files.completeUploadExternal":
        return [f"shares a file {_where(params)}"]
    else:
        return []
    return [head, *_message(params)]


def _answer(reply: Reply) -> list[str]:
    """What a slash command or a click answered in its HTTP response (only the person sees it)."""
    body = reply.json() if reply.body.startswith("{") else {"text": reply.body}
    return ["answers", *_message(body)] if body and (body.get("text") or body.get("blocks")) else []


class Week:
    """The team, the bot and the transcript."""

    def __init__(self, bot: Dibs, fake: FakeSlack, frozen: Any) -> None:
        self.bot, self.fake, self.frozen = bot, fake, frozen
        self.slack = Sender(SECRET, app=bot.app, after=lambda: bot.deliver(linger=timedelta(0)))
        self.lines: list[str] = []
        self.seen = 0
        self.posts: dict[str, dict[str, Any]] = {}

    def step(self, heading: str, reply: Reply | None = None) -> None:
        self.frozen.tick(timedelta(minutes=1))  # people take a minute between steps; so does the next one
        self.bot.deliver(self.bot.services.now(), linger=timedelta(0))
        self.lines += ["", f"## {heading}"]
        said = _answer(reply) if reply is not None else []
        calls = self.fake.calls()
        for call in calls[self.seen :]:
            if call.status == 200 and (call.response or {}).get("ok", True):
                said += _call(call)
        self.seen = len(calls)
        self.lines += [_people(line).rstrip() for line in said] or ["(nothing)"]

    def command(self, who: str, text: str, channel: str = EVENTS) -> None:
        reply = self.slack.command(text, user=who, channel=channel)
        self.step(f"{NAMES[who]} in #{NAMES[channel]}: /dibs {text}", reply)

    def post(self, key: str, who: str, text: str, channel: str) -> None:
        event = message_event(text, user=who, channel=channel)
        self.posts[key] = event
        self.step(f"{NAMES[who]} posts in #{NAMES[channel]}: {text}", self.slack.event(event))

    def react(self, key: str, who: str, emoji: str) -> None:
        post = self.posts[key]
        self.slack.event(reaction_event("reaction_added", who, post["ts"], reaction=emoji, channel=post["channel"]))
        self.step(f"{NAMES[who]} reacts :{emoji}: to the post")

    def click(self, key: str, who: str, action: str, value: str) -> None:
        post = self.posts[key]
        payload = block_action(action, value, who, post["ts"], post["ts"], channel=post["channel"])
        self.step(f"{NAMES[who]} clicks {action} in the thread", self.slack.interactive(payload))

    def status(self, who: str, emoji: str, text: str) -> None:
        """Someone sets (or clears) their Slack status: Slack sends `user_change`."""
        profile = {"status_emoji": emoji, "status_text": text, "status_expiration": 0}
        user = {"id": who, "team_id": "T111", "tz": "UTC", "name": NAMES[who].lower(), "profile": profile}
        self.slack.event({"type": "user_change", "user": user, "event_ts": "1.6"})
        self.step(f"{NAMES[who]} sets their status to {emoji} {text}" if emoji else f"{NAMES[who]} clears their status")

    def home(self, who: str) -> None:
        event = {"type": "app_home_opened", "user": who, "channel": "D" + who[1:], "tab": "home", "event_ts": "1.5"}
        self.step(f"{NAMES[who]} opens Dibs's Home tab", self.slack.event(event))

    def at(self, moment: datetime, heading: str) -> None:
        """Time moves on to `moment`, a scheduler tick at each quarter hour on the way."""
        now = self.bot.services.now()
        while now < moment:
            now = min(now + timedelta(minutes=15), moment)
            self.frozen.move_to(now)
            self.bot.tick(now)
            self.bot.deliver(now, linger=timedelta(0))
        self.step(heading)


@pytest.fixture
def week(tmp_path: Path) -> Iterator[Week]:
    with FakeSlack() as fake, freeze_time(MONDAY) as frozen, team_bot(tmp_path, fake, SECRET) as bot:
        yield Week(bot, fake, frozen)


def act(w: Week) -> None:
    """The week, step by step."""
    w.command("U0ANA", "help")
    w.command("U0ANA", "frobnicate")
    w.command("U0ANA", "watch")
    w.command("U0ANA", "watch", channel=MARKETING)
    w.post("booth", "U0ANA", "We got a booth at the Springfield Expo on Jan 20 - who can staff it?", EVENTS)
    w.post("comment", "U0MAX", "Blog comment on the pricing post asks about SSO: who answers?", MARKETING)
    w.post("chatter", "U0MAX", "Lunch is here, come grab some", MARKETING)
    w.command("U0BEN", "claim 1")
    w.react("booth", "U0CHLOE", "raising_hand")
    w.command("U0DEV", "claim 1")
    w.command("U0DEV", "claim 1")
    w.command("U0ANA", "list")
    w.command("U0BEN", "when 1 2027-01-20 09:00-17:00 at Hall 3")
    w.command("U0BEN", "due 1 Jan 32")
    w.command("U0CHLOE", "release 1")
    w.command("U0DEV", "claim 99")
    w.command("U0ANA", "roles 1 lead=1")
    w.home("U0BEN")
    w.home("U0ANA")
    w.at(MONDAY.replace(hour=13, minute=5), "Monday afternoon: the blog comment has waited four hours")
    w.at(MONDAY.replace(hour=16, minute=30), "Monday, late afternoon")
    w.at(MONDAY + timedelta(days=1, hours=0, minutes=5), "Tuesday, the morning edition")
    w.react("comment", "U0CHLOE", "raising_hand")
    w.command("U0CHLOE", "done 2 https://example.com/blog/pricing#comment-7", channel=MARKETING)
    w.command("U0ANA", "stats", channel=MARKETING)
    w.command("U0ANA", "digest preview", channel=MARKETING)
    # Booths are for the salespeople: a kind with claimers, and a team calendar.
    w.fake.set_group(SALES, ["U0BEN", "U0CHLOE", "U0DEV", "U0MAX"])
    w.command("U0ANA", f"route event <!subteam^{SALES}|@sales> claimers")
    w.bot.read_admins()  # the background read of the group's members (every 30 s in `dibs serve`)
    w.step("Dibs reads @sales's members in the background")
    w.post("summit", "U0MAX", "Booth at the Design Summit on Feb 3 - who can staff it?", EVENTS)
    w.command("U0ANA", "claim 3")
    w.react("summit", "U0ANA", "raising_hand")
    w.command("U0DEV", "claim 3")
    w.command("U0ANA", "calendar add https://calendar.example.com/ical/team/private-0123456789abcdef/basic.ics")
    w.command("U0ANA", "calendars")
    # Who is away: Ben goes on holiday while waiting for a seat, and hears what passed him by once back.
    w.command("U0CHLOE", "claim 3")
    w.command("U0BEN", "claim 3")
    w.command("U0MAX", "claim 3")
    w.status("U0BEN", ":palm_tree:", "Holiday, back Monday")
    w.command("U0CHLOE", "release 3")
    w.command("U0DEV", "swap 3 <@U0BEN>")
    w.status("U0BEN", "", "")
    # A gift campaign whose gifts Goody's webhooks mark.
    w.post("gifts", "U0ANA", "Holiday gifts go out to our customers next week. Who makes sure every gift arrives?",
           MARKETING)  # fmt: skip
    w.command("U0ANA", "gift 4 link goody:d158184c", channel=MARKETING)
    w.command("U0ANA", "gift 4", channel=MARKETING)


def test_what_dibs_says_is_the_reviewed_transcript(week: Week) -> None:
    act(week)
    text = "# What Dibs says: a marketing team's Monday and Tuesday morning (tests/golden)\n" + "\n".join(week.lines)
    text += "\n"
    if os.environ.get("DIBS_WRITE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8") if GOLDEN.exists() else ""
    assert text == expected, (
        "What Dibs says changed. Read the difference, then write the file anew with "
        "DIBS_WRITE_GOLDEN=1 .venv/bin/pytest tests/golden and review its diff."
    )

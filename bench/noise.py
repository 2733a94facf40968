"""How loud Dibs is in a normal week: a team of 8, 30 posts, the settings' defaults, simulated in-process.

    .venv/bin/python -m bench.noise [--seed 7] [--posts 30] [--claims nobody|some]

Two channels (#marketing, #events) are watched; two marketers post 30 follow-ups at working hours from
Monday to Friday; with `--claims some` the other six people claim most of them after a while and finish
some. Time runs on a frozen clock in 15-minute steps (one scheduler tick each, its Slack calls delivered),
so a week takes seconds. Everything Dibs says is read off the fake Slack Web API it talks to, and counted:

- per channel and working day: new messages (top-level posts and thread replies), not counting the question
  in the thread of each post (one per follow-up, the post asked for it) and not counting the channel list's
  updates in place; and `@here`s;
- per person and day: new direct messages (a DM, or a file such as a calendar entry shared in one), and the
  most one person got for one change (within a minute);
- at any step, how many messages listing open follow-ups were live in one channel.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun import freeze_time

from bot.app import Dibs, create_app
from bot.settings import Settings
from tests.support.clock import SkippingClock
from tests.support.fakeslack import Call, FakeSlack
from tests.support.payloads import Sender, message_event, reaction_event

SECRET = "noise-signing-secret"
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
STEP = timedelta(minutes=15)
CHANNELS = {"C0MARKETING": "marketing", "C0EVENTS": "events"}
POSTERS = ("U0LEAD", "U0MKT")
PEOPLE = ("U0ANA", "U0BEN", "U0CHLOE", "U0DEV", "U0EVE", "U0FAY")
POSTS = {
    "C0EVENTS": ["We got a booth at the {} expo: who can staff it?", "Meetup at {} next month, need two people"],
    "C0MARKETING": [
        "Blog comment on the {} post asks about SSO: who answers?",
        "Gifts went out to every {} customer: who checks they arrived?",
    ],
}
PLACES = ("Springfield", "Shelbyville", "Capital City", "Ogdenville", "North Haverbrook", "Brockway")


@dataclass
class Tally:
    """What the week sounded like."""

    channel_day: Counter[tuple[str, date]] = field(default_factory=Counter)
    questions: Counter[tuple[str, date]] = field(default_factory=Counter)
    updates: Counter[tuple[str, date]] = field(default_factory=Counter)
    here: Counter[tuple[str, date]] = field(default_factory=Counter)
    dms: Counter[tuple[str, date]] = field(default_factory=Counter)
    dm_burst: int = 0  # the most new DMs one person got within one minute
    live_lists: int = 0  # the most messages listing open follow-ups live in one channel at once
    live: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _plan(seed: int, posts: int, claims: str) -> list[tuple[datetime, str, dict[str, Any]]]:
    """The week's actions in time order: (when, what, details)."""
    rng = random.Random(seed)
    actions: list[tuple[datetime, str, dict[str, Any]]] = []
    for n in range(posts):
        day = MONDAY + timedelta(days=n * 5 // posts)
        at = day + timedelta(hours=1, minutes=rng.randrange(0, 8 * 60 - 30))
        channel = rng.choice(list(CHANNELS))
        text = rng.choice(POSTS[channel]).format(rng.choice(PLACES))
        actions.append((at, "post", {"n": n, "channel": channel, "text": text, "user": rng.choice(POSTERS)}))
        if claims == "some" and rng.random() < 0.8:
            taken = at + timedelta(minutes=rng.randrange(20, 26 * 60))
            who = rng.choice(PEOPLE)
            actions.append((taken, "claim", {"n": n, "user": who}))
            if rng.random() < 0.5:
                actions.append((taken + timedelta(hours=rng.randrange(2, 48)), "done", {"n": n, "user": who}))
    return sorted(actions, key=lambda a: a[0])


def _day(moment: datetime) -> date:
    return moment.date()


def _count(tally: Tally, calls: list[Call], now: datetime, threads: set[str]) -> None:
    """Attribute the Slack calls made during one step to its channel or person and day."""
    sent: dict[str, list[datetime]] = defaultdict(list)
    for call in calls:
        params, answer = call.params, call.response or {}
        where = str(params.get("channel") or params.get("channel_id") or "")
        if call.status != 200 or not answer.get("ok", True):
            continue
        if call.method == "chat.postMessage" and where in CHANNELS:
            thread = params.get("thread_ts")
            if thread and thread not in threads:
                threads.add(str(thread))
                tally.questions[(where, _day(now))] += 1
            else:
                tally.channel_day[(where, _day(now))] += 1
                tally.here[(where, _day(now))] += "<!here>" in str(params.get("text"))
            if (params.get("metadata") or {}).get("event_type") == "dibs_list":
                tally.live[where].add(str(answer.get("ts")))
        elif call.method == "chat.delete" and where in CHANNELS:
            tally.live[where].discard(str(params.get("ts")))
        elif call.method == "chat.update" and where in CHANNELS:
            tally.updates[(where, _day(now))] += 1
        elif (call.method == "chat.postMessage" and where[:1] in ("U", "D")) or (
            call.method == "files.completeUploadExternal" and where[:1] == "D"
        ):
            person = where if where[:1] == "U" else f"U{where[1:]}"
            tally.dms[(person, _day(now))] += 1
            sent[person].append(now)
    tally.live_lists = max([tally.live_lists, *(len(ts) for ts in tally.live.values())])
    tally.dm_burst = max([tally.dm_burst, *(len(times) for times in sent.values())])


@contextmanager
def team_bot(workdir: Path, fake: FakeSlack, secret: str = SECRET) -> Iterator[Dibs]:
    """A bot in this process on the settings' defaults, a SQLite file in `workdir` and `fake` for Slack, whose waits
    cost no time (the noise week's, and the golden transcript's in tests/golden)."""
    settings = Settings(
        bot_token="xoxb-noise", signing_secret=secret, api_url=fake.base_url,
        database_url=f"sqlite:///{workdir / 'noise.db'}",
    )  # fmt: skip
    bot = create_app(settings, clock=SkippingClock())
    try:
        yield bot
    finally:
        bot.shutdown()


def simulate(seed: int = 7, posts: int = 30, claims: str = "nobody") -> Tally:
    """Run the week; returns what Dibs said, counted."""
    tally, threads = Tally(), set[str]()
    with (
        tempfile.TemporaryDirectory(prefix="dibs-noise-") as tmp,
        FakeSlack() as fake,
        freeze_time(MONDAY - timedelta(days=1)) as frozen,
        team_bot(Path(tmp), fake) as bot,
    ):
        slack = Sender(SECRET, app=bot.app, after=lambda: bot.deliver(linger=timedelta(0)))
        for channel in CHANNELS:
            slack.command("watch", channel=channel, user=POSTERS[0])
        stamps: dict[int, tuple[str, str]] = {}
        actions, seen = _plan(seed, posts, claims), 0
        now = MONDAY - timedelta(days=1)
        while now < MONDAY + timedelta(days=7):
            now += STEP
            if now.weekday() >= 5 or not 8 <= now.hour < 18:
                continue  # nights and weekends: nothing is due (working hours are 09:00-17:00 mon-fri)
            frozen.move_to(now)
            while actions and actions[0][0] <= now:
                _, what, details = actions.pop(0)
                _act(slack, what, details, stamps)
            bot.tick(now)
            bot.deliver(now, linger=timedelta(0))
            calls = fake.calls()
            _count(tally, calls[seen:], now, threads)
            seen = len(calls)
    return tally


def _act(slack: Sender, what: str, details: dict[str, Any], stamps: dict[int, tuple[str, str]]) -> None:
    if what == "post":
        event = message_event(details["text"], user=details["user"], channel=details["channel"])
        stamps[details["n"]] = (details["channel"], event["ts"])
        slack.event(event)
    elif details["n"] in stamps:
        channel, ts = stamps[details["n"]]
        emoji = "raising_hand" if what == "claim" else "white_check_mark"
        slack.event(reaction_event("reaction_added", details["user"], ts, reaction=emoji, channel=channel))


def report(tally: Tally) -> dict[str, Any]:
    """The figures, per channel and working day (the busiest), per person and day, in all."""
    days = [MONDAY.date() + timedelta(days=n) for n in range(5)]
    return {
        "messages per channel per working day (max)": max(tally.channel_day[(c, d)] for c in CHANNELS for d in days),
        "messages per channel per working day": {
            CHANNELS[c]: [tally.channel_day[(c, d)] for d in days] for c in CHANNELS
        },
        "questions (one per follow-up, not counted above)": sum(tally.questions.values()),
        "list updates in place (not counted above)": sum(tally.updates.values()),
        "@here per channel per day (max)": max(tally.here.values(), default=0),
        "DMs per person per day (max)": max(tally.dms.values(), default=0),
        "DMs to one person for one change (max)": tally.dm_burst,
        "live lists in one channel at once (max)": tally.live_lists,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.noise", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--claims", choices=("nobody", "some"), default=None, help="default: both")
    args = parser.parse_args()
    for claims in [args.claims] if args.claims else ["nobody", "some"]:
        print(f"## claims: {claims} (seed {args.seed}, {args.posts} posts, Monday to Sunday)")
        print(json.dumps(report(simulate(args.seed, args.posts, claims)), indent=2))


if __name__ == "__main__":
    main()

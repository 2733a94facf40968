"""`dibs demo` without a browser: seeded posts get their threads, the clock brings reminders, a restart
keeps everything and --reset forgets it; the page's JSON takes only what its own page sends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.demo.standin import StandIn
from bot.demo.world import BOT_TOKEN
from tests.support.helpers import wait_until
from tests.support.server import dibs_command, free_port
from tests.unit.test_manifest import web_api_methods

pytestmark = pytest.mark.e2e


class Demo:
    """`dibs demo …` in `directory`, and the page's JSON."""

    def __init__(self, directory: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = directory / "demo.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIBS_", "DATABASE_URL"))}
        seen = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([*dibs_command(), "demo", "--port", str(self.port), "--no-browser", *args],
                                         cwd=directory, env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        try:  # generous: a start on a machine twice as slow, under a full suite, has taken over 30 s
            wait_until(
                lambda: self.proc.poll() is None and "Dibs demo: http" in self.log.read_text()[seen:], 60, "the demo"
            )
        except BaseException:
            self.proc.kill()  # never leave a demo running behind a failed test
            raise

    def state(self, user: str = "U0ANA") -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/demo/state?user={user}&since=-1", timeout=10) as answer:
            return dict(json.load(answer))

    def act(self, **action: Any) -> int:
        request = urllib.request.Request(f"{self.url}/demo/act", data=json.dumps(action).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)

    def text(self, channel: str, user: str = "U0ANA") -> str:
        found = next(c for c in self.state(user)["channels"] if c["id"] == channel)
        return json.dumps(found["messages"])

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            tail = self.log.read_text()[-3000:]
            raise AssertionError(f"the demo did not stop within 40 s of SIGTERM:\n{tail}") from None
        assert code == 0, self.log.read_text()[-3000:]
        return self.log.read_text()


def test_seed_reminders_restart_and_reset(tmp_path):
    demo = Demo(tmp_path, "--seed")
    try:
        asked = {"C0EVENTS": ("Who will staff this event?",),
                 "C0MARKETING": ("Who will answer this comment?", "Who will make sure every gift arrives")}  # fmt: skip
        # The three threads are answered in no set order across channels: wait for each.
        wait_until(lambda: all(q in demo.text(c) for c, qs in asked.items() for q in qs), 15, "the seeded threads")
        wait_until(lambda: "has 5 recipients" in demo.text("C0MARKETING", "U0CHLOE"), 15, "the CSV imported")
        assert "has 5 recipients" not in demo.text("C0MARKETING")  # a note for Chloe only
        assert demo.act(type="clock", step="hour", user="U0BEN") == 200
        assert demo.act(type="clock", step="hour", user="U0BEN") == 200  # two hours: the first reminders
        wait_until(lambda: "Still waiting for someone" in demo.text("C0EVENTS"), 15, "a reminder")
        assert demo.act(type="post", user="U0BEN", channel="C0EVENTS", text="/dibs claim 1") == 200
        wait_until(lambda: "Owners:" in demo.text("C0EVENTS"), 15, "Ben as the owner")
        moved = demo.state()["now"]
    finally:
        assert "Dibs demo stopped." in demo.stop()
    calls = [call["method"] for call in json.loads((tmp_path / "dibs-demo.json").read_text())["calls"]]
    assert {"conversations.join", "chat.postMessage", "chat.update", "files.info"} <= set(calls)
    assert calls.count("auth.test") == 1  # asked once, at start
    again = Demo(tmp_path, "--seed")  # picks up where it was: the same posts, the clock still moved on
    try:
        assert "Owners:" in again.text("C0EVENTS") and again.state()["now"][:14] == moved[:14]
        assert "--seed adds none" in again.log.read_text()
    finally:
        again.stop()
    fresh = Demo(tmp_path, "--reset")
    try:
        assert "Springfield" not in fresh.text("C0EVENTS") and "Watching" in fresh.text("C0EVENTS")
    finally:
        fresh.stop()


def test_the_page_json_answers_only_its_own_page(tmp_path):
    demo = Demo(tmp_path)
    try:
        forged = urllib.request.Request(f"{demo.url}/demo/act", data=b'{"type": "clock", "step": "day"}',
                                        headers={"Content-Type": "text/plain"}, method="POST")  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=10)
        assert refused.value.code == 400
        rebound = urllib.request.Request(f"{demo.url}/demo/state", headers={"Host": "evil.example:80"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(rebound, timeout=10)
        assert refused.value.code == 403
        with pytest.raises(urllib.error.HTTPError) as refused:
            demo.act(type="post", user="UNOBODY", channel="C0EVENTS", text="hi")
        assert refused.value.code == 400
    finally:
        demo.stop()


def test_the_stand_in_answers_every_web_api_method_dibs_calls():
    from bot.demo.record import Record

    answered = set(StandIn(Record(), lambda: None).api.methods)  # type: ignore[arg-type, return-value]
    # files_upload_v2 is slack_sdk's: it calls these two methods (and posts the bytes in between).
    called = set(web_api_methods()) - {"conversations.info"}
    called = (called - {"files.upload.v2"}) | ({"files.getUploadURLExternal", "files.completeUploadExternal"}
                                               if "files.upload.v2" in called else set())  # fmt: skip
    assert called <= answered | {"api.call"}
    assert "conversations.info" in answered  # dibs doctor's


def test_the_hand_my_seat_picker_asks_the_person_picked(tmp_path):
    demo = Demo(tmp_path)
    try:
        assert demo.act(type="post", user="U0BEN", channel="C0EVENTS", text="Booth at the Springfield Expo") == 200
        wait_until(lambda: "Who will staff this event?" in demo.text("C0EVENTS"), 15, "the thread")
        assert demo.act(type="post", user="U0ANA", channel="C0EVENTS", text="/dibs claim 1") == 200

        def reply() -> dict[str, Any] | None:
            messages = next(c for c in demo.state()["channels"] if c["id"] == "C0EVENTS")["messages"]
            post = next(m for m in messages if "Springfield" in str(m["text"]))
            return next((r for r in post["replies"] if r["bot"] and "dibs_swap_pick" in json.dumps(r["blocks"])), None)

        wait_until(lambda: reply(), 15, "the picker in the thread, once Ana holds a seat")
        picker = {"action_id": "dibs_swap_pick", "block_id": "dibs_task_1", "type": "users_select",
                  "selected_user": "U0DEV", "action_ts": "1.0"}  # fmt: skip
        shown = reply()
        assert shown is not None
        where = {"channel": "C0EVENTS", "ts": shown["ts"]}
        assert demo.act(type="click", user="U0ANA", where=where, action=picker) == 200
        wait_until(lambda: "asks whether you can take their seat" in json.dumps(demo.state("U0DEV")), 15, "Dev's DM")
    finally:
        demo.stop()


def test_a_message_deleted_through_the_web_api_leaves_the_page(tmp_path):
    demo = Demo(tmp_path)
    try:
        assert demo.act(type="post", user="U0BEN", channel="C0EVENTS", text="Booth at the Springfield Expo") == 200
        wait_until(lambda: "Who will staff this event?" in demo.text("C0EVENTS"), 15, "the thread")
        events = next(c for c in demo.state()["channels"] if c["id"] == "C0EVENTS")
        [post] = [m for m in events["messages"] if "Springfield" in m["text"]]
        [question] = [r for r in post["replies"] if "Who will staff this event?" in json.dumps(r)]
        slack = WebClient(token=BOT_TOKEN, base_url=f"{demo.url}/api/")  # as Dibs calls the stand-in
        with pytest.raises(SlackApiError, match="cant_delete_message"):
            slack.chat_delete(channel="C0EVENTS", ts=post["ts"])  # Ben's, not Dibs's
        assert slack.chat_delete(channel="C0EVENTS", ts=question["ts"])["ok"]
        assert "Who will staff this event?" not in demo.text("C0EVENTS") and "Springfield" in demo.text("C0EVENTS")
        thread = slack.conversations_replies(channel="C0EVENTS", ts=post["ts"])["messages"]
        assert question["ts"] not in {m["ts"] for m in thread}
        logged = [c for c in demo.state()["calls"] if c["method"] == "chat.delete"]
        assert [(c["where"], c["ok"]) for c in logged] == [("C0EVENTS", True), ("C0EVENTS", False)]  # newest first
    finally:
        demo.stop()

"""The README's pictures, made from the real views (run by hand from the repository root; name some of
chart, home and staffing to make only those; the browser is Debian's chromium and chromium-driver, with
fonts-noto-color-emoji for the emoji):

    .venv/bin/python docs/screenshots.py [chart] [home] [staffing]

- docs/home.png: Ana's Home tab in `dibs demo` (the page draws the Block Kit that `bot.home.view` built
  and the bot published), in headless Chromium, after a few posts, claims, a due date and a done task.
- docs/chart.png: the weekly chart, `render_chart` on `weekly_series` of 10,000 tasks over 90 days
  (the synthetic history of bench/insight.py), as the Monday digest uploads it.
- docs/staffing.png: a booth's thread in `dibs demo` run with the README's `roles: {lead: 1, staff: 2}` (the
  page draws the Block Kit the bot posted and updated): the post asks for 3 staff, Ana takes lead, Ben and
  Chloe staff, Dev waits for lead; Ana lets go, so the lead seat is offered to Dev until Friday, and one
  staff seat is free. The notes only the clicker saw are left out.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.insight import fill  # noqa: E402
from bench.schedule import SETTINGS, fresh  # noqa: E402
from bot.insight.chart import render_chart  # noqa: E402
from bot.insight.stats import weekly_series  # noqa: E402
from bot.insight.weekly import CHART_TITLE  # noqa: E402
from store.db import make_engine, make_session_factory, migrate  # noqa: E402
from store.models import utcnow  # noqa: E402
from tests.support.server import dibs_command, free_port  # noqa: E402

ANA = "U0ANA"


def chart(out: Path) -> None:
    url, drop = fresh("sqlite", "")
    engine = make_engine(url)
    try:
        migrate(engine)
        fill(engine)
        with make_session_factory(engine).begin() as session:
            series = weekly_series(session, SETTINGS, "T1", "C0001", utcnow())
        out.write_bytes(render_chart(series, CHART_TITLE))
    finally:
        engine.dispose()
        drop()


def _act(base: str, **action: object) -> None:
    request = urllib.request.Request(f"{base}/demo/act", data=json.dumps(action).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def _state(base: str, user: str = ANA) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/demo/state?user={user}&since=-1", timeout=10) as answer:
        return dict(json.load(answer))


def _until(found: Callable[[], Any], what: str) -> Any:
    """`found()` once it is truthy (within 15 s)."""
    for _ in range(75):
        value = found()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"docs/screenshots.py: the demo never showed {what}")


@contextmanager
def _demo(*args: str, config: str | None = None) -> Iterator[tuple[str, Any]]:
    """A new `dibs demo` in a folder of its own (`config`: its DIBS_CONFIG file) and headless Chromium:
    the demo's address, once it answers, and the browser; both stopped and the folder removed after."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    folder, port = Path(tempfile.mkdtemp(prefix="dibs-shots-")), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIBS_", "DATABASE_URL"))}
    if config is not None:
        (folder / "dibs.yaml").write_text(config)
        env["DIBS_CONFIG"] = str(folder / "dibs.yaml")
    demo = subprocess.Popen([*dibs_command(), "demo", *args, "--port", str(port), "--no-browser"], cwd=folder,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1100,1300",
                 f"--user-data-dir={folder / 'profile'}"):  # fmt: skip
        options.add_argument(flag)
    driver = None
    try:
        for _ in range(100):
            try:
                _state(base)
                break
            except OSError:
                time.sleep(0.2)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                                  options=options)  # fmt: skip
        yield base, driver
    finally:
        if driver is not None:
            driver.quit()
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def home(out: Path) -> None:
    from selenium.webdriver.common.by import By

    with _demo("--seed") as (base, driver):
        _act(base, type="clock", step="hour", user=ANA)
        yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
        for channel, text in (
            ("C0EVENTS", "/dibs claim 1"),
            ("C0EVENTS", f"/dibs due 1 {yesterday}"),
            ("C0MARKETING", "Webinar on Thursday: who hosts the Q&A about the new pricing?"),
            ("C0MARKETING", "New blog comment on the launch post asks whether the API has a sandbox"),
            ("C0MARKETING", "/dibs claim 5"),
            ("C0MARKETING", "/dibs done 5"),
            ("C0EVENTS", "Meetup at the Riverside co-working space next month: who gives the talk?"),
            ("C0EVENTS", "/dibs claim 6"),
        ):
            _act(base, type="post", user=ANA, channel=channel, text=text)
        driver.get(base + "/")
        time.sleep(1.5)
        next(b for b in driver.find_elements(By.CSS_SELECTOR, "button.nav-item") if "Home" in b.text).click()

        def tab() -> Any:
            boxes = driver.find_elements(By.CSS_SELECTOR, ".home")
            return boxes[0] if boxes and "Your tasks" in boxes[0].text else None

        box = _until(tab, "the Home tab")
        time.sleep(0.5)
        box.screenshot(str(out))


STAFFING = """kinds:
  event:
    roles: {lead: 1, staff: 2}
"""


def staffing(out: Path) -> None:
    """A booth's thread with the README's settings (`event` roles lead 1, staff 2; the post asks for 3
    staff): Ana takes lead, Ben and Chloe staff, Dev queues for lead; a day later (on a Tuesday) Ana lets
    go, so the lead seat is offered to Dev for 24 working hours, until Friday; one staff seat stays free.
    The notes only the clicker saw (their ephemeral answers) are left out of the picture."""
    from selenium.webdriver.common.by import By

    with _demo(config=STAFFING) as (base, driver):
        # The demo starts at 10:00 on a Monday to Thursday: post on a Monday, let go on the Tuesday (24
        # working hours from then end on Friday).
        while not _state(base)["now"].startswith("Mon"):
            _act(base, type="clock", step="day", user=ANA)
        today = datetime.strptime(_state(base)["now"][4:15], "%d %b %Y").date()
        event = today + timedelta(days=12)  # a Saturday, two weeks out
        text = f"We got a booth at the Springfield Expo on {event.isoformat()}, 3 staff. Who can work it?"
        _act(base, type="post", user="U0BEN", channel="C0EVENTS", text=text)

        def booth() -> dict[str, Any]:
            events = next(c for c in _state(base)["channels"] if c["id"] == "C0EVENTS")
            return dict(next(m for m in events["messages"] if m["text"] == text))

        thread = _until(lambda: booth()["replies"], "the booth's thread")[0]

        def take(user: str, role: str) -> None:
            button = next(e for block in thread["blocks"] if block["type"] == "actions" for e in block["elements"]
                          if e["value"].endswith(f":{role}"))  # fmt: skip
            action = {"action_id": button["action_id"], "type": "button", "value": button["value"],
                      "action_ts": f"{time.time():.6f}"}  # fmt: skip
            _act(base, type="click", user=user, where={"channel": "C0EVENTS", "ts": thread["ts"]}, action=action)

        take(ANA, "lead")
        take("U0BEN", "staff")
        take("U0CHLOE", "staff")
        take("U0DEV", "lead")  # every lead seat is taken: Dev is first in line
        _until(lambda: "waitlist: <@U0DEV>" in json.dumps(booth()["replies"][0]["blocks"]), "Dev in line")
        _act(base, type="clock", step="day", user=ANA)
        task = thread["blocks"][-2]["elements"][0]["value"].split(":")[0]
        _act(base, type="post", user=ANA, channel="C0EVENTS", text=f"/dibs release {task}", thread_ts=booth()["ts"])
        _until(lambda: "offered to <@U0DEV>" in json.dumps(booth()["replies"][0]["blocks"]), "the offer to Dev")
        driver.get(base + "/")
        time.sleep(1.5)
        next(b for b in driver.find_elements(By.CSS_SELECTOR, "button.nav-item") if "events" in b.text).click()
        # The page's CSP (default-src 'self') refuses a <style> element, not a rule added to its sheet.
        driver.execute_script(
            "const sheet = document.styleSheets[0];"
            "sheet.insertRule('.msg.private { display: none; }', sheet.cssRules.length);"
        )
        box = _until(lambda: driver.find_elements(By.ID, f"m-{booth()['ts']}"), "the booth on the page")[0]
        time.sleep(0.5)
        box.screenshot(str(out))


PICTURES = {"chart": chart, "home": home, "staffing": staffing}

if __name__ == "__main__":
    for name in sys.argv[1:] or PICTURES:
        PICTURES[name](ROOT / "docs" / f"{name}.png")
        print(f"wrote docs/{name}.png")

"""The README's pictures, made from the real views (run by hand from the repository root):

    .venv/bin/python docs/screenshots.py

- docs/home.png: Ana's Home tab in `dibs demo` (the page draws the Block Kit that `bot.home.view` built
  and the bot published), in headless Chromium, after a few posts, claims, a due date and a done task.
- docs/chart.png: the weekly chart, `render_chart` on `weekly_series` of 10,000 tasks over 90 days
  (the synthetic history of bench/insight.py), as the Monday digest uploads it.
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
from datetime import timedelta
from pathlib import Path

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


def home(out: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    folder, port = Path(tempfile.mkdtemp(prefix="dibs-shots-")), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIBS_", "DATABASE_URL"))}
    demo = subprocess.Popen([*dibs_command(), "demo", "--seed", "--port", str(port), "--no-browser"], cwd=folder,
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
                _act(base, type="clock", step="hour", user=ANA)
                break
            except OSError:
                time.sleep(0.2)
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
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                                  options=options)  # fmt: skip
        driver.get(base + "/")
        time.sleep(1.5)
        next(b for b in driver.find_elements(By.CSS_SELECTOR, "button.nav-item") if "Home" in b.text).click()
        for _ in range(50):
            boxes = driver.find_elements(By.CSS_SELECTOR, ".home")
            if boxes and "Your tasks" in boxes[0].text:
                break
            time.sleep(0.2)
        time.sleep(0.5)
        boxes[0].screenshot(str(out))
    finally:
        if driver is not None:
            driver.quit()
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    chart(ROOT / "docs" / "chart.png")
    home(ROOT / "docs" / "home.png")
    print("wrote docs/chart.png and docs/home.png")

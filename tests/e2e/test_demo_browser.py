"""`dibs demo` in a real browser: headless Chromium (Debian's chromium and chromedriver) driven by Selenium.

The visitor posts a booth, sees Dibs's question, clicks "I'll take it", sees the owner in the thread,
runs /dibs list, moves the clock a day and sees the digest; what they typed is shown as text, and the
page fits a phone. Without a browser the test is skipped here, and fails where DIBS_REQUIRE_BROWSER is
set (.ci/run installs Chromium and sets it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.helpers import wait_until
from tests.support.server import dibs_command, free_port

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")  # fmt: skip
BOOTH = "We got a booth at the Springfield Expo on March 12, who can staff it?"
TYPED = '<img src=x onerror="document.title=1"> & <b>not bold</b> <!here>'


def _missing_browser() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() or shutil.which(Path(path).name)):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture
def browser() -> Iterator[Any]:
    reason = _missing_browser()
    if reason:
        if os.environ.get("DIBS_REQUIRE_BROWSER"):
            pytest.fail(f"{reason}, and DIBS_REQUIRE_BROWSER is set: the browser test must run here")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or CHROMIUM
    profile = tempfile.mkdtemp(prefix="dibs-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    """`dibs demo` as the README runs it, in a directory of its own; stopped with SIGTERM."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIBS_", "DATABASE_URL"))}
    log = (tmp_path / "demo.log").open("wb")
    proc = subprocess.Popen([*dibs_command(), "demo", "--port", str(port), "--no-browser"], cwd=tmp_path, env=env,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"

    def ready() -> bool:
        assert proc.poll() is None, (tmp_path / "demo.log").read_text()
        try:
            with urllib.request.urlopen(f"{url}demo/state?since=0", timeout=30) as answer:
                return answer.status == 200
        except OSError:
            return False

    try:
        wait_until(ready, timeout=30, what="the demo page")
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        log.close()
    output = (tmp_path / "demo.log").read_text()
    assert code == 0 and "Dibs demo stopped." in output and "Traceback" not in output, output


def _say(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    field = driver.find_element(By.ID, "message")
    field.send_keys(text)
    field.send_keys(Keys.ENTER)


def _find(driver: Any, xpath: str, what: str, timeout: float = 20) -> str:
    """The text of the last element matching `xpath`, once there is one (the page redraws as news comes)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def found(d: Any) -> str | bool:
        try:
            hits = d.find_elements(By.XPATH, xpath)
            return str(hits[-1].text) if hits else False
        except StaleElementReferenceException:
            return False

    try:
        return str(WebDriverWait(driver, timeout).until(found))
    except Exception as error:
        shown = driver.find_element(By.ID, "feed").text[-2000:]
        raise AssertionError(f"the page never showed {what}; it shows:\n{shown}") from error


def _click(driver: Any, xpath: str, what: str) -> None:
    """Click the last element matching `xpath` (again if a redraw replaced it under the pointer)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for _ in range(5):
        _find(driver, xpath, what)
        try:
            driver.find_elements(By.XPATH, xpath)[-1].click()
            return
        except StaleElementReferenceException:
            continue
    raise AssertionError(f"could not click {what}")


def test_a_visitor_posts_a_booth_claims_it_lists_it_and_sees_the_next_days_digest(demo, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(demo)
    _click(browser, "//button[normalize-space()='# events']", "the #events channel")
    _say(browser, BOOTH)
    question = (
        "//div[contains(@class,'thread')]/article[contains(@class,'bot')][contains(., 'Who will staff this event?')]"
    )
    assert "Unclaimed" in _find(browser, question, "Dibs's question in the booth's thread")
    _click(browser, question + '//button[normalize-space()="I\'ll take it"]', "I'll take it")
    _find(browser, question + "[contains(., 'Owners:')][contains(., '@Ana')]", "Ana as the owner in the thread")
    # Two seats and an owner: the thread offers "Hand my seat to…" as a menu of people, not a placeholder.
    _find(browser, question + "//select[@aria-label='Hand my seat to…']/option[normalize-space()='Dev']", "the picker")
    _say(browser, "/dibs list")
    listed = _find(browser, "//article[contains(@class,'private')][.//div[@class='command'][.='/dibs list']]",
                   "the answer to /dibs list")  # fmt: skip
    assert "Open tasks" in listed and "Springfield Expo" in listed and "Only visible to you" in listed
    browser.find_element(By.ID, "plus-day").click()
    digest = "//div[@id='feed']/article[contains(@class,'bot')][contains(., 'Open follow-ups ·')]"
    shown = _find(browser, digest, "the next day's digest")
    assert "Springfield Expo" in shown and "@Ana" in shown
    browser.set_window_size(1280, 1000)
    screenshot(browser, tmp_path)
    _say(browser, TYPED)
    typed = "//div[@id='feed']/article[not(contains(@class,'bot'))][contains(., 'not bold')]"
    assert TYPED in _find(browser, typed, "the typed message")  # as typed: no image, no bold, no @here
    assert browser.find_elements(By.XPATH, typed + "//*[self::img or self::b or contains(@class, 'mention')]") == []
    assert browser.title == "Dibs demo"  # the onerror never ran
    browser.set_window_size(390, 844)  # a phone: nothing wider than the screen, the composer in reach
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    assert browser.find_element(By.ID, "message").is_displayed()


def screenshot(browser: Any, tmp_path: Path) -> None:
    """Keep a screenshot; DIBS_DEMO_SCREENSHOT names where the README's copy goes (docs/demo.png)."""
    browser.save_screenshot(str(tmp_path / "demo.png"))
    if os.environ.get("DIBS_DEMO_SCREENSHOT"):
        shutil.copy(tmp_path / "demo.png", os.environ["DIBS_DEMO_SCREENSHOT"])

"""A live server and Debian's Chromium driven by Playwright; screenshots go to test-artifacts/.

In CI (CI=true) a missing Chromium is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI and was not found at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        launched.devices = playwright.devices
        yield launched
        launched.close()


@pytest.fixture
def live_server(app):
    """The test's app served over real HTTP on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(params=["Pixel 5", "iPhone 13", "Desktop Chrome"], ids=["android", "iphone", "desktop"])
def device(request, browser):
    """A browser context emulating one kind of customer device."""
    context = browser.new_context(**browser.devices[request.param])
    context.device_name = request.param
    yield context
    context.close()


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot for reviewers."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server: str, email: str, password: str = "correct horse battery") -> None:
    """Sign in to the console as a person would."""
    page.goto(f"{live_server}/console/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button.primary")

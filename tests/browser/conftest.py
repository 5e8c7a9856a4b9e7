"""Real-browser tests: Debian's Chromium driven by Playwright against a live server.

Browsers cannot be downloaded here, so Playwright launches /usr/bin/chromium, which .ci/run
installs from Debian's packages. The live server needs committed data, so each test runs on
a transactional database that is flushed afterwards; the demo is loaded again when missing.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from hoctap.demo.loader import demo_load
from hoctap.organisation.models import Unit

# Playwright's sync API runs an event loop in the test thread; the ORM calls the fixtures make
# there are still plain synchronous calls (Playwright's and Django's documented workaround).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Let routes see the requests a service worker makes, so that the offline tests can cut them
# too (Playwright's offline switch alone does not reach a worker: microsoft/playwright#2311).
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

CHROMIUM = "/usr/bin/chromium"
# Chromium's background services try to reach the network, which is closed here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def demo_server(live_server: Any, transactional_db: None) -> str:
    """Return the live server's URL with the Tuần Giáo demo in its database."""
    if not Unit.objects.filter(code="099").exists():
        demo_load()
    return str(live_server.url)


class PageErrors(list[str]):
    """JavaScript errors and console errors seen on a page."""


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, PageErrors]]:
    context = browser.new_context(locale="vi-VN")
    tab = context.new_page()
    errors = PageErrors()
    tab.on("pageerror", lambda error: errors.append(str(error)))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    tab.on("console", console)
    yield tab, errors
    context.close()


def log_in(tab: Page, base: str, username: str) -> None:
    """Sign in through the real login form."""
    tab.goto(f"{base}/accounts/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", "hoctap-demo")
    tab.click("main button[type=submit]")
    tab.wait_for_url(f"{base}/")


WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's best-practice rules add the landmark checks (one main, unique landmarks, content in
# landmarks) that WCAG leaves to judgement.
TAGS = [*WCAG_AA, "best-practice"]
# axe answers "needs review" when it cannot decide; only contrast over a chart or a scrolled
# table is accepted here (checked by hand). Any other, such as a dangling aria-describedby, fails.
UNDECIDABLE = {"color-contrast"}


def axe_problems(tab: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page: WCAG 2.x A/AA and best-practice violations, and the undecided."""
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    response = Axe().run(tab, options=options).response
    violations: list[dict[str, Any]] = response["violations"]
    undecided = [r for r in response["incomplete"] if r["id"] not in UNDECIDABLE]
    return violations + undecided


def axe_describe(violations: list[dict[str, Any]]) -> str:
    """Name each problem and where it is, for an assertion message."""
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        lines.append(f"{violation['id']}: {violation['help']} -> {targets}")
    return "\n".join(lines)

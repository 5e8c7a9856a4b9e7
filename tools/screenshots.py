"""Write PNGs of the main pages, desktop and phone, to docs/screenshots/ (`make screenshots`).

Loads the demo into a throw-away SQLite database, serves it on a free loopback port and
photographs each page with Debian's Chromium driven by Playwright.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 360, "height": 740},
}
PAGES = {
    "login": ("", "/accounts/login/"),
    "home": ("quaicang", "/"),
    "queue": ("quaicang", "/assessments/?period=2021-2022"),
    "report": ("tuangiao", "/reports/summary?period=2020-2021&unit=099"),
    "imports": ("quaicang", "/imports/"),
    "units": ("quaicang", "/units/03289/?on=01/06/2021"),
    "households": ("quaicang", "/people/households/"),
    "periods": ("tuangiao", "/periods/2021-2022/"),
    "requests": ("quaicang", "/people/requests/"),
}
# Phone shots that only the user guide (docs/guide/vi) shows: (user, state filter or address).
GUIDE_SHOTS = {
    "enrol": ("chihoi.quaicang", "/assessments/new?period=2021-2022"),
    "review": ("chihoi.quaicang", "submitted"),
    "decide": ("quaicang", "branch_reviewed"),
    "recognition": ("quaicang", "/recognition/?period=2020-2021&unit=03289"),
    "self-enter": ("", "/self/"),
}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 - loopback
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _log_in(tab: Page, base: str, username: str) -> None:
    tab.goto(f"{base}/accounts/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", "hoctap-demo")
    tab.click("main button[type=submit]")
    tab.wait_for_url(f"{base}/")


def _assessment_page(tab: Page, base: str, state: str = "registered") -> str:
    tab.goto(f"{base}/assessments/?period=2021-2022&state={state}")
    href = tab.locator("ul.rows a").first.get_attribute("href")
    return href or "/"


def _field_app(tab: Page, base: str, size: str) -> None:
    """The offline field app: the village downloaded, a self-assessment, the outbox."""
    _log_in(tab, base, "chihoi.quaicang")
    tab.goto(f"{base}/field/")
    tab.wait_for_selector("#download-form:not([hidden])")
    tab.select_option("#download-period", "2021-2022")
    tab.click("#download-form button[type=submit]")
    tab.wait_for_selector("#work:not([hidden])")
    tab.screenshot(path=str(OUT / f"field-{size}.png"))
    tab.locator("#people a", has_text="Tự đánh giá").first.click()
    for index in range(1, 11):
        tab.fill(f"#score-CS{index}", "8")
    tab.locator("#assess-preview").scroll_into_view_if_needed()
    tab.screenshot(path=str(OUT / f"field-assessment-{size}.png"))


def _guide_shots(browser: Browser, base: str) -> None:
    """The phone shots of the user guide: enrolment, review, decisions, the citizen's entry."""
    for name, (username, where) in GUIDE_SHOTS.items():
        context = browser.new_context(viewport=SIZES["phone"], locale="vi-VN")
        tab = context.new_page()
        if username:
            _log_in(tab, base, username)
        path = where if where.startswith("/") else _assessment_page(tab, base, where)
        tab.goto(f"{base}{path}")
        tab.screenshot(path=str(OUT / f"{name}-phone.png"))
        context.close()
    # Deciding several at once: the list of the branch's reviewed assessments, two ticked.
    context = browser.new_context(viewport=SIZES["phone"], locale="vi-VN")
    tab = context.new_page()
    _log_in(tab, base, "quaicang")
    tab.goto(f"{base}/assessments/?period=2021-2022&state=branch_reviewed")
    for box in tab.locator("#queue input[type=checkbox]").all()[:2]:
        box.check()
    tab.locator("#queue").scroll_into_view_if_needed()
    tab.screenshot(path=str(OUT / "bulk-decide-phone.png"))
    context.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3",
            "HOCTAP_VAR_DIR": folder,
        }
        hoctap = [sys.executable, "-m", "hoctap"]
        subprocess.run([*hoctap, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        port = _port()
        server = subprocess.Popen([*hoctap, "serve", "--port", str(port), "--no-worker"], env=env)  # noqa: S603
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(f"{base}/accounts/login/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                for size, viewport in SIZES.items():
                    for name, (username, path) in PAGES.items():
                        # A fresh context per page: each page is seen as its own user sees it.
                        context = browser.new_context(viewport=viewport, locale="vi-VN")
                        tab = context.new_page()
                        if username:
                            _log_in(tab, base, username)
                        tab.goto(f"{base}{path}")
                        tab.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=False)
                        if name == "queue":
                            tab.goto(f"{base}{_assessment_page(tab, base)}")
                            tab.screenshot(
                                path=str(OUT / f"assessment-{size}.png"), full_page=False
                            )
                            # The printed card, then the citizen's own page it opens.
                            tab.click("button:has-text('In thẻ tự đánh giá')")
                            tab.wait_for_selector("#access-card")
                            tab.locator("#access-card").screenshot(
                                path=str(OUT / f"access-card-{size}.png")
                            )
                            code = tab.inner_text("#code")
                            phone = browser.new_context(viewport=viewport, locale="vi-VN")
                            own = phone.new_page()
                            own.goto(f"{base}/self/{code}")
                            own.screenshot(path=str(OUT / f"self-service-{size}.png"))
                            phone.close()
                        context.close()
                    context = browser.new_context(viewport=viewport, locale="vi-VN")
                    _field_app(context.new_page(), base, size)
                    context.close()
                _guide_shots(browser, base)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()

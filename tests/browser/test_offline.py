"""The field app with no signal, in Debian's Chromium: install, download, work offline, sync.

Offline here is real: the browser context is offline and a route cuts every request, the
service worker's included (Playwright's offline switch does not reach a worker on its own, see
microsoft/playwright#2311; PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS, set in conftest,
lets the route see them). A signal handler on the live server records every request that
reaches it, so each test can show that none did while the phone was offline.
"""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.signals import request_started
from PIL import Image
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FilePayload,
    Page,
    Playwright,
    Response,
    Route,
    expect,
)

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment, AssessmentEvent, Evidence, State
from hoctap.assessments.services import assessment_scores_set
from hoctap.people.models import Citizen, Consent
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    axe_describe,
    axe_problems,
    log_in,
)

BRANCH = "03289-CH1"
PERIOD = "2021-2022"


class Server:
    """The paths of the requests that reached the live server."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        self.paths.append(str(environ.get("PATH_INFO", "")))


@pytest.fixture
def server() -> Iterator[Server]:
    seen = Server()
    request_started.connect(seen, weak=False)
    yield seen
    request_started.disconnect(seen)


def _no_signal(route: Route) -> None:
    route.abort("internetdisconnected")


def go_offline(context: BrowserContext) -> None:
    context.route("**/*", _no_signal)
    context.set_offline(True)


def go_online(context: BrowserContext) -> None:
    context.unroute("**/*", _no_signal)
    context.set_offline(False)


def photo(color: tuple[int, int, int]) -> FilePayload:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), color).save(out, format="JPEG", quality=95)
    return {"name": "minh-chung.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def wait_for_worker(tab: Page) -> None:
    """Wait until the service worker is installed and controls the page."""
    tab.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            while (!navigator.serviceWorker.controller) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        }"""
    )


def open_app(tab: Page, base: str) -> None:
    tab.goto(f"{base}/field/")
    expect(tab.locator("body")).to_have_attribute("data-ready", "true")


def download(tab: Page, base: str) -> None:
    open_app(tab, base)
    tab.select_option("#download-period", PERIOD)
    tab.select_option("#download-unit", BRANCH)
    tab.click("#download-form button[type=submit]")
    expect(tab.locator("#notice")).to_contain_text("Đã tải Chi hội khuyến học bản Cang")
    wait_for_worker(tab)


def score(tab: Page, values: list[str]) -> None:
    for index, value in enumerate(values, start=1):
        tab.fill(f"#score-CS{index}", value)


def add_photo(tab: Page, indicator: str, color: tuple[int, int, int]) -> None:
    tab.select_option("#photo-indicator", indicator)
    count = tab.locator("#photos li").count()
    tab.set_input_files("#photo", files=[photo(color)])
    expect(tab.locator("#photos li")).to_have_count(count + 1)


def consent(tab: Page, how: str = "paper") -> None:
    """Tick, as the officer does once the person has heard the notice and agreed."""
    tab.get_by_label("Người dân đã được đọc thông báo xử lý dữ liệu cá nhân và đồng ý").check()
    tab.check(f"#enrol-form input[name=consent_how][value={how}]")


def enrol_new(tab: Page, name: str, year: str, *, national_id: str = "") -> None:
    tab.click("#enrol-new")
    tab.fill("#enrol-name", name)
    tab.fill("#enrol-year", year)
    tab.get_by_label("Nữ", exact=True).check()  # the label is the radio's
    tab.select_option("#enrol-ethnicity", "Thái")
    tab.fill("#enrol-national-id", national_id)
    tab.select_option("#enrol-group", "G1")
    consent(tab)
    tab.click("#enrol-form button[type=submit]")
    expect(tab.locator("#assess-title")).to_have_text(name)


def outbox_ids(tab: Page) -> list[str]:
    """The client UUIDs of the records queued on the phone, in the order they were made."""
    ids: list[str] = tab.evaluate(
        """async () => (await HoctapField.all("outbox"))
            .filter((item) => item.kind === "enrol").map((item) => item.assessment)"""
    )
    return ids


def launch(driver: Playwright, profile: Path, *, signal: bool = True) -> BrowserContext:
    """Start Chromium with a profile on disk, as a phone's browser keeps its data.

    Without signal, the context starts offline with every request cut by a route, and goes
    through a proxy that is not there as well: the route and the offline switch come too late
    for a service worker that wakes as the browser starts (for the background sync its page
    asked for while offline).
    """
    dead_proxy = {"server": "http://127.0.0.1:9", "bypass": "<-loopback>"}
    context = driver.chromium.launch_persistent_context(
        str(profile),
        proxy=None if signal else dead_proxy,  # type: ignore[arg-type]
        offline=not signal,
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        locale="vi-VN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        service_workers="allow",
    )
    if not signal:
        context.route("**/*", _no_signal)
    return context


def test_enrol_and_self_assess_two_people_offline_then_sync_exactly_once(
    demo_server: str, server: Server, playwright_driver: Playwright, tmp_path: Path
) -> None:
    driver, profile = playwright_driver, tmp_path / "profile"
    context = launch(driver, profile)
    tab = context.pages[0]
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    before = Assessment.objects.count()
    people_before = Citizen.objects.count()
    existing = Citizen.objects.filter(home_unit__code=BRANCH).exclude(
        assessments__period__code=PERIOD
    )
    known = existing.order_by("search_name").first()
    assert known is not None

    go_offline(context)
    expect(tab.locator("#network")).to_have_text("Mất mạng")
    server.paths.clear()

    # A new person, who passes.
    enrol_new(tab, "Lò Thị Hoa", "1990")
    score(tab, ["8"] * 10)
    expect(tab.locator("#assess-preview")).to_have_text("Tổng điểm: 80 · Đạt")
    add_photo(tab, "CS3", (200, 120, 60))
    tab.click("#assess-form button[type=submit]")
    expect(tab.locator("#notice")).to_contain_text("Đã lưu cho Lò Thị Hoa")

    # Someone already on the village's list, who falls short on one indicator.
    tab.fill("#search", known.full_name)
    tab.locator("#people li", has_text=known.full_name).get_by_role("link", name="Ghi danh").click()
    expect(tab.locator("#enrol-name")).to_have_value(known.full_name)
    tab.select_option("#enrol-group", "G1")
    # Not queued until the person's consent is ticked: the message stands beside the tick.
    tab.click("#enrol-form button[type=submit]")
    expect(tab.locator("#enrol-consent-error")).to_have_text(
        "Đọc thông báo về dữ liệu cá nhân cho người dân; chỉ ghi danh khi họ đồng ý."
    )
    expect(tab.locator("#screen-enrol")).to_be_visible()
    assert len(outbox_ids(tab)) == 1  # only Hoa so far
    consent(tab, "verbal")
    tab.click("#enrol-form button[type=submit]")
    tab.locator("#screen-assess").get_by_role("link", name="Quay lại").click()
    # The list shows the person once, now enrolled on the phone.
    tab.fill("#search", known.full_name)
    expect(tab.locator("#people li")).to_have_count(1)
    expect(tab.locator("#people li .state")).to_have_text("Đã ghi danh trên máy")
    tab.locator("#people li").get_by_role("link", name="Tự đánh giá").click()
    score(tab, ["9", "9", "4", "9", "9", "9", "9", "9", "9,5", "9"])
    expect(tab.locator("#assess-preview")).to_have_text(
        "CS9: điểm phải từ 0 đến 10 và đúng thang điểm."  # the pilot's scale has whole points
    )
    tab.fill("#score-CS9", "9")
    expect(tab.locator("#assess-preview")).to_have_text("Tổng điểm: 85 · Chưa đạt")
    add_photo(tab, "CS1", (20, 120, 200))
    tab.click("#assess-form button[type=submit]")

    summary = tab.locator("#outbox-summary")
    expect(summary).to_contain_text("Chờ gửi: 2 bản ghi và 2 ảnh")
    ids = outbox_ids(tab)
    assert len(ids) == 2

    # The phone restarts, still with no signal: the app and its outbox come back.
    context.close()
    context = launch(driver, profile, signal=False)
    tab = context.pages[0]
    open_app(tab, demo_server)
    expect(tab.locator("#outbox-summary")).to_contain_text("Chờ gửi: 2 bản ghi và 2 ảnh")
    expect(tab.locator("#work-title")).to_have_text("Chi hội khuyến học bản Cang · kỳ 2021-2022")
    # Nothing was sent. The app's optional "am I signed in?" check may slip through Chromium's
    # offline emulation (see the test of the forms below; seen here once in a CI run on
    # PostgreSQL); it carries no data, and the outbox is still full.
    assert [path for path in server.paths if path != "/field/session"] == []
    assert Assessment.objects.count() == before
    context.close()

    # Back in signal, the app is opened again and the outbox goes by itself.
    context = launch(driver, profile)
    tab = context.pages[0]
    open_app(tab, demo_server)
    expect(tab.locator("#outbox-summary")).to_have_text("Không có gì chờ gửi.", timeout=20_000)
    assert Assessment.objects.count() == before + 2
    assert Citizen.objects.count() == people_before + 1  # the known person was matched
    hoa, second = (Assessment.objects.get(pk=i) for i in ids)
    assert hoa.citizen is not None
    assert hoa.citizen.full_name == "Lò Thị Hoa"
    assert hoa.state == State.SELF_ASSESSED
    assert hoa.self_scores == dict.fromkeys([f"CS{i}" for i in range(1, 11)], "8")
    assert second.citizen == known
    assert second.self_scores["CS3"] == "4"
    # Each consent as the officer recorded it (the known person's adds to an earlier one).
    newest = Consent.objects.filter(citizen=known).latest("given_at", "pk")
    assert newest.method == "verbal"
    assert Consent.objects.get(citizen=hoa.citizen).method == "paper"
    for assessment, indicator in ((hoa, "CS3"), (second, "CS1")):
        evidence = Evidence.objects.get(assessment=assessment)
        assert evidence.indicators == [indicator]
        with Image.open(evidence.file) as stored:
            assert max(stored.size) <= 1600

    # Sending again changes nothing.
    tab.evaluate("HoctapField.sync({})")
    assert Assessment.objects.count() == before + 2
    assert Evidence.objects.filter(assessment__in=[hoa, second]).count() == 2
    context.close()


def test_a_sync_cut_halfway_resumes_and_still_writes_everything_once(
    demo_server: str, browser: Browser
) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    tab = context.new_page()
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    go_offline(context)
    enrol_new(tab, "Quàng Văn Minh", "1985")
    score(tab, ["7"] * 9 + ["9"])
    add_photo(tab, "CS2", (90, 90, 20))
    tab.click("#assess-form button[type=submit]")
    enrol_new(tab, "Lường Thị Mai", "1992")
    score(tab, ["10"] * 10)
    tab.click("#assess-form button[type=submit]")
    ids = outbox_ids(tab)

    # The answers to the first workflow step and the first photo never reach the phone,
    # although the server did the work: the connection drops just after the request.
    cut: list[str] = []

    def drop_answer(route: Route) -> None:
        request = route.request
        kind = "transition" if request.url.endswith("/transitions") else "evidence"
        if request.method == "POST" and kind not in cut:
            route.fetch()
            cut.append(kind)
            route.abort("connectionreset")
        else:
            route.fallback()

    context.route("**/api/v1/assessments/*/transitions", drop_answer)
    context.route("**/api/v1/assessments/*/evidence", drop_answer)
    go_online(context)
    expect(tab.locator("#notice")).to_contain_text("Không có kết nối", timeout=20_000)
    # Send again, as the officer would tap "Gửi", until the outbox is through. (Chromium's
    # background sync may also have taken a turn from the service worker.)
    for _attempt in range(4):
        if tab.evaluate("HoctapField.sync({})")["stopped"] == "":
            break
    assert sorted(cut) == ["evidence", "transition"]

    minh, mai = (Assessment.objects.get(pk=i) for i in ids)
    assert minh.state == mai.state == State.SELF_ASSESSED
    assert Evidence.objects.filter(assessment=minh).count() == 1
    for assessment in (minh, mai):
        actions = list(
            AssessmentEvent.objects.filter(assessment=assessment).values_list("action", flat=True)
        )
        assert actions.count("self_assess") == 1, actions
        assert actions.count("evidence_added") == (1 if assessment == minh else 0), actions
    statuses = tab.evaluate("async () => (await HoctapField.all('outbox')).map((i) => i.status)")
    assert statuses == ["done"] * 7
    context.close()


def test_an_edit_made_at_the_office_meanwhile_is_shown_not_overwritten(
    demo_server: str, browser: Browser
) -> None:
    target = Assessment.objects.get(
        period__code=PERIOD, unit__code=BRANCH, state=State.SELF_ASSESSED
    )
    assert target.citizen is not None
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    tab = context.new_page()
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    go_offline(context)
    tab.fill("#search", target.citizen.full_name)
    tab.locator("#people li", has_text=target.citizen.full_name).get_by_role(
        "link", name="Tự đánh giá"
    ).click()
    score(tab, ["6"] * 10)
    tab.click("#assess-form button[type=submit]")

    # Meanwhile, at the office, the commune officer corrects the same scores.
    office = dict.fromkeys([f"CS{i}" for i in range(1, 11)], "9")
    assessment_scores_set(
        user=User.objects.get(username="quaicang"),
        assessment_id=target.pk,
        layer="self",
        scores=dict(office),
        version=target.version,
    )

    go_online(context)
    item = tab.locator("#outbox-items li.conflict")
    expect(item).to_contain_text("đã bị sửa ở văn phòng trong lúc chờ", timeout=20_000)
    expect(item.locator("table")).to_contain_text("Trên máy này")
    expect(item.locator("tbody tr").first.locator("td")).to_have_text(["6", "9"])
    target.refresh_from_db()
    assert target.self_scores == office  # not overwritten

    # The officer decides that the village's scores stand.
    item.get_by_role("button", name="Giữ bản của tôi").click()
    tab.click("#send")
    expect(tab.locator("#outbox-summary")).to_have_text("Không có gì chờ gửi.", timeout=20_000)
    target.refresh_from_db()
    assert target.self_scores == dict.fromkeys([f"CS{i}" for i in range(1, 11)], "6")
    context.close()


def test_a_fresh_install_opens_the_forms_with_no_signal(
    demo_server: str, browser: Browser, server: Server
) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    # A slow phone: the worker is registered only after the pack has been downloaded, so the
    # app cannot count on the worker to see (and cache) the scheme file it fetches.
    context.add_init_script(
        """(() => {
            const register = ServiceWorkerContainer.prototype.register;
            let release;
            const later = new Promise((resolve) => { release = resolve; });
            window.registerWorkerNow = () => release();
            ServiceWorkerContainer.prototype.register = function (...args) {
                return later.then(() => register.apply(this, args));
            };
        })();"""
    )
    tab = context.new_page()
    log_in(tab, demo_server, "chihoi.quaicang")
    open_app(tab, demo_server)
    tab.select_option("#download-period", PERIOD)
    tab.select_option("#download-unit", BRANCH)
    tab.click("#download-form button[type=submit]")
    expect(tab.locator("#notice")).to_contain_text("Đã tải Chi hội khuyến học bản Cang")
    tab.evaluate("window.registerWorkerNow()")
    wait_for_worker(tab)
    # Chromium itself finds nothing that would keep the app from being installed (but the
    # test's throw-away profile, which it treats as incognito).
    cdp = context.new_cdp_session(tab)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    go_offline(context)
    expect(tab.locator("#network")).to_have_text("Mất mạng")
    server.paths.clear()
    # The worker serves the page itself. (Chromium's offline emulation then leaves
    # navigator.onLine true in the new document, though its requests still fail.)
    tab.reload()
    expect(tab.locator("#work-title")).to_have_text("Chi hội khuyến học bản Cang · kỳ 2021-2022")
    tab.click("#enrol-new")
    expect(tab.locator("#enrol-unit")).to_have_value(BRANCH)
    expect(tab.locator("#enrol-group option")).to_have_count(4)
    tab.goto("about:blank")
    tab.goto(f"{demo_server}/field/#enrol")
    expect(tab.locator("#screen-enrol")).to_be_visible()
    expect(tab.locator("#enrol-unit")).to_have_value(BRANCH)
    # Nothing the forms need came from the server. The one request the app may still make is
    # its optional "am I signed in?" check, which it sends because the emulated offline
    # document reports navigator.onLine as true; when the worker is restarted by the reload,
    # Chromium's emulation sometimes lets that pass-through request out (seen in 1 run of 5).
    # The page is built the same whether it is answered or not.
    assert [path for path in server.paths if path != "/field/session"] == []
    context.close()


def test_photos_are_kept_as_bytes_where_the_browser_cannot_store_a_blob(
    demo_server: str, browser: Browser
) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    # As older Safari did: IndexedDB refuses Blob values.
    context.add_init_script(
        """(() => {
            const put = IDBObjectStore.prototype.put;
            IDBObjectStore.prototype.put = function (value, key) {
                if (value instanceof Blob) throw new DOMException("no blobs", "DataCloneError");
                return put.call(this, value, key);
            };
        })();"""
    )
    tab = context.new_page()
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    go_offline(context)
    enrol_new(tab, "Cà Văn Tiến", "1979")
    score(tab, ["8"] * 10)
    add_photo(tab, "CS5", (10, 200, 10))
    tab.click("#assess-form button[type=submit]")
    expect(tab.locator("#notice")).to_contain_text("Đã lưu cho Cà Văn Tiến")
    stored = tab.evaluate(
        """async () => {
            const db = await new Promise((resolve) => {
                const request = indexedDB.open("hoctap-field");
                request.onsuccess = () => resolve(request.result);
            });
            const all = await new Promise((resolve) => {
                const request = db.transaction("blobs").objectStore("blobs").getAll();
                request.onsuccess = () => resolve(request.result);
            });
            return all.map((value) => value.bytes instanceof ArrayBuffer);
        }"""
    )
    assert stored == [True]
    (record,) = outbox_ids(tab)
    go_online(context)
    expect(tab.locator("#outbox-summary")).to_have_text("Không có gì chờ gửi.", timeout=20_000)
    evidence = Evidence.objects.get(assessment_id=record)
    with Image.open(evidence.file) as image:
        pixel = image.getpixel((10, 10))
        assert isinstance(pixel, tuple)
        assert pixel[1] > 150  # the green photo, intact
    context.close()


def test_the_field_app_passes_axe_on_a_phone(demo_server: str, browser: Browser) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    tab = context.new_page()
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    go_offline(context)
    tab.click("#enrol-new")
    problems = axe_problems(tab)
    assert problems == [], axe_describe(problems)
    # On a 360 px phone each radio sits on its label's line, and the whole label is the target.
    for word in ("Nam", "Nữ", "Phiếu giấy có chữ ký"):
        label = tab.locator("#enrol-form label", has_text=word).first
        radio, line = label.locator("input").bounding_box(), label.bounding_box()
        assert radio is not None
        assert line is not None
        assert line["height"] >= 44, word
        assert line["y"] <= radio["y"], word
        assert radio["y"] + radio["height"] <= line["y"] + line["height"], word
    expect(tab.get_by_role("link", name="Về trang chính")).to_have_attribute("href", "/")
    tab.fill("#enrol-name", "Lò Văn Pâng")
    tab.click("#enrol-form button[type=submit]")
    expect(tab.locator("#enrol-errors li")).to_have_count(3)  # year, sex, group
    expect(tab.locator("#enrol-consent-error")).not_to_be_empty()  # and consent, beside it
    problems = axe_problems(tab)
    assert problems == [], axe_describe(problems)
    tab.fill("#enrol-year", "1970")
    tab.check("input[name=sex][value=male]")
    tab.select_option("#enrol-group", "G1")
    consent(tab)
    tab.click("#enrol-form button[type=submit]")
    score(tab, ["7"] * 10)
    add_photo(tab, "CS1", (120, 10, 10))
    problems = axe_problems(tab)
    assert problems == [], axe_describe(problems)
    tab.click("#assess-form button[type=submit]")
    expect(tab.locator("#outbox-items li")).to_have_count(4)
    problems = axe_problems(tab)
    assert problems == [], axe_describe(problems)
    context.close()


def _held(tab: Page) -> dict[str, Any]:
    """What the phone holds: the pack, how many records, outbox items and photos."""
    held: dict[str, Any] = tab.evaluate(
        """async () => ({
            pack: await HoctapField.getMeta("pack"),
            token: await HoctapField.getMeta("token"),
            records: (await HoctapField.all("records")).length,
            outbox: (await HoctapField.all("outbox")).length,
            blobs: (await HoctapField.all("blobs")).length,
            schemes: (await caches.keys()).filter((name) => name.startsWith("hoctap-scheme-")),
        })"""
    )
    return held


def test_personal_data_leaves_the_phone_when_it_expires_or_is_removed(
    demo_server: str, browser: Browser
) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    tab = context.new_page()
    tab.on("dialog", lambda dialog: dialog.accept())
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    go_offline(context)
    enrol_new(tab, "Tòng Thị Én", "1988")
    score(tab, ["8"] * 10)
    add_photo(tab, "CS4", (60, 60, 160))
    tab.click("#assess-form button[type=submit]")
    held = _held(tab)
    assert held["records"] == 3  # the two open assessments of the branch, and Én
    assert held["schemes"] == ["hoctap-scheme-cdht-2020-1"]

    # The pack's time is up: opening the app deletes the village's people but keeps the work
    # that waits to be sent.
    tab.evaluate(
        """async () => {
            const pack = await HoctapField.getMeta("pack");
            pack.expires_at = new Date(Date.now() - 1000).toISOString();
            await HoctapField.setMeta("pack", pack);
        }"""
    )
    tab.reload()
    expect(tab.locator("#pack-status")).to_contain_text("đã hết hạn và đã được xoá")
    held = _held(tab)
    assert held["pack"] is None
    assert (held["records"], held["outbox"], held["blobs"]) == (1, 4, 1)

    # Back in signal the work goes; then the officer removes everything from the phone.
    go_online(context)
    expect(tab.locator("#outbox-summary")).to_have_text("Không có gì chờ gửi.", timeout=20_000)
    token = held["token"]["token"]
    tab.click("#remove-data")
    expect(tab.locator("#notice")).to_have_text("Đã xoá dữ liệu khỏi máy này.")
    held = _held(tab)
    assert (held["pack"], held["token"], held["records"], held["outbox"], held["blobs"]) == (
        None,
        None,
        0,
        0,
        0,
    )
    assert held["schemes"] == []
    answer = tab.request.get(
        f"{demo_server}/api/v1/assessments", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 401  # the phone was signed out
    context.close()


def test_the_field_app_is_light_and_first_party(demo_server: str, browser: Browser) -> None:
    # The worker blocked, so each file is counted once (it would fetch them again to cache).
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="block")
    tab = context.new_page()
    requested: list[str] = []
    responses: list[Response] = []
    tab.on("request", lambda request: requested.append(request.url))
    tab.on("response", lambda response: responses.append(response))
    tab.goto(f"{demo_server}/field/")
    expect(tab.locator("body")).to_have_attribute("data-ready", "true")
    # Content-Length, not the bodies: the app never reads the body of the 401 that tells it
    # no one is signed in, and Playwright would wait for it.
    total = sum(int(response.headers["content-length"]) for response in responses)
    context.close()
    host = urlsplit(demo_server).netloc
    assert [url for url in requested if urlsplit(url).netloc != host] == []
    print(f"field app: {total} bytes in {len(responses)} responses")
    assert total < 150 * 1024, f"{total} bytes: {[response.url for response in responses]}"


def test_a_new_release_waits_until_the_open_form_is_closed(
    demo_server: str, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    tab = context.new_page()
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    old = tab.evaluate("JSON.parse(document.getElementById('field-config').textContent).release")
    tab.click("#enrol-new")
    tab.fill("#enrol-name", "Điêu Thị Xuân")

    # A new release is deployed while the form is open on the phone.
    monkeypatch.setattr("hoctap.field.views.release_id", lambda: "next-release")
    tab.evaluate(
        """async () => {
            const registration = await navigator.serviceWorker.ready;
            await registration.update();
            while (!registration.waiting) await new Promise((r) => setTimeout(r, 50));
        }"""
    )
    caches = "async () => (await caches.keys()).filter((n) => n.startsWith('hoctap-field-'))"
    assert sorted(tab.evaluate(caches)) == sorted(
        [f"hoctap-field-{old}", "hoctap-field-next-release"]
    )
    expect(tab.locator("#enrol-name")).to_have_value("Điêu Thị Xuân")  # nothing reloaded
    active = "async () => (await navigator.serviceWorker.ready).active.scriptURL"
    assert tab.evaluate(active).endswith("/field/sw.js")

    # Once no page of the old release is open, the next visit runs the new one and the old
    # cache goes.
    tab.close()
    tab = context.new_page()
    open_app(tab, demo_server)
    tab.evaluate(
        """async () => {
            while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 50));
        }"""
    )
    for _attempt in range(50):
        if tab.evaluate(caches) == ["hoctap-field-next-release"]:
            break
        tab.wait_for_timeout(100)
    assert tab.evaluate(caches) == ["hoctap-field-next-release"]
    context.close()


def test_attendance_taken_offline_at_a_centre_session_reaches_the_sheet_once(
    demo_server: str, browser: Browser
) -> None:
    from hoctap.learning.models import Attendance, Session

    # The commune officer runs the centre: their pack of the commune carries its sessions.
    session = (
        Session.objects.filter(course__centre__unit__code="03289", date__year=2021)
        .order_by("date", "pk")
        .first()
    )
    assert session is not None
    present = set(session.attendances.values_list("citizen_id", flat=True))
    absent = list(
        Citizen.objects.filter(home_unit__path__startswith=session.course.centre.unit.path)
        .exclude(pk__in=present)
        .order_by("pk")[:2]
    )
    assert len(absent) == 2
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    tab = context.new_page()
    log_in(tab, demo_server, "quaicang")
    open_app(tab, demo_server)
    tab.select_option("#download-period", "2021-2022")
    tab.select_option("#download-unit", "03289")
    tab.click("#download-form button[type=submit]")
    expect(tab.locator("#notice")).to_contain_text("Đã tải")
    wait_for_worker(tab)
    go_offline(context)
    tab.click("#attend-open")
    expect(tab.locator("#screen-attend")).to_be_visible()
    tab.select_option("#attend-session", str(session.pk))
    # Who the office already has is ticked and cannot be unticked from the phone.
    for pk in list(present)[:3]:
        box = tab.locator(f"#attend-people input[value='{pk}']")
        expect(box).to_be_checked()
        expect(box).to_be_disabled()
    tab.click("#attend-form button[type=submit]")
    expect(tab.locator("#attend-errors li")).to_have_count(1)  # nobody new ticked
    for person in absent:
        tab.fill("#attend-search", person.full_name)
        tab.locator(f"#attend-people input[value='{person.pk}']").check()
    expect(tab.locator("#attend-count")).to_have_text("Đã đánh dấu 2 người")
    tab.click("#attend-form button[type=submit]")
    expect(tab.locator("#notice")).to_contain_text("Đã lưu điểm danh: 2 người")
    expect(tab.locator("#outbox-summary")).to_contain_text("Chờ gửi: 1 bản ghi")
    assert not Attendance.objects.filter(session=session, citizen__in=absent).exists()
    go_online(context)  # the app sends what waits as soon as the signal is back
    expect(tab.locator("#outbox-summary")).to_have_text("Không có gì chờ gửi.", timeout=20_000)
    recorded = Attendance.objects.filter(session=session, citizen__in=absent)
    assert recorded.count() == 2
    # Once sent, the sheet on the phone shows them as the office has them: present, for good.
    tab.goto(f"{demo_server}/field/#attend")
    tab.select_option("#attend-session", str(session.pk))
    for person in absent:
        expect(tab.locator(f"#attend-people input[value='{person.pk}']")).to_be_disabled()
    context.close()


# An enrolment as the app queued it before consent was asked for: the same record and item,
# with no `consent` in the body.
OLD_ENROLMENT = """async ({ id, unit }) => {
    const citizen = { full_name: "Lò Văn Thanh", birth_year: 1968, sex: "male",
        ethnicity: "Thái", national_id: null, household: "" };
    const body = { id, period: "2021-2022", unit, group: "G1", citizen };
    const record = { id, citizen: Object.assign({ unit }, citizen), unit, group: "G1",
        citizenId: null, state: "registered", version: null, self: {}, local: true, photos: 0 };
    await HoctapField.enqueue(record, [{ kind: "enrol", assessment: id, body,
        size: JSON.stringify(body).length }]);
}"""


def test_an_enrolment_queued_before_consent_was_asked_waits_for_it_and_is_never_lost(
    demo_server: str, browser: Browser, server: Server
) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    tab = context.new_page()
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    record = "5b1c0c4e-8f0e-4d53-9a3e-0d6f1c2b7a11"
    tab.evaluate(OLD_ENROLMENT, {"id": record, "unit": BRANCH})
    server.paths.clear()

    # The app opens in signal and sends what waits, but not an enrolment without consent.
    open_app(tab, demo_server)
    item = tab.locator("#outbox-items li.consent")
    expect(item).to_contain_text("Ghi danh · Lò Văn Thanh · Cần ghi nhận sự đồng ý")
    tab.click("#send")
    expect(tab.locator("#notice")).to_contain_text("1 bản ghi danh chờ ghi nhận sự đồng ý")
    assert "/api/v1/assessments" not in server.paths
    assert not Assessment.objects.filter(pk=record).exists()
    # Still there after a restart of the app.
    tab.reload()
    expect(item).to_have_count(1)

    # The officer reads the notice to the person, who agrees out loud before a witness.
    item.get_by_role("button", name="Ghi nhận sự đồng ý").click()
    expect(item.locator(".notice")).to_contain_text("Đọc cho người dân nghe")
    item.get_by_role("button", name="Lưu sự đồng ý").click()
    expect(item.locator(".error")).to_have_text(
        "Đọc thông báo về dữ liệu cá nhân cho người dân; chỉ ghi danh khi họ đồng ý."
    )
    problems = axe_problems(tab)
    assert problems == [], axe_describe(problems)
    item.get_by_label("Người dân đã được đọc thông báo xử lý dữ liệu cá nhân và đồng ý").check()
    item.get_by_label("Đồng ý bằng lời, có người làm chứng").check()
    item.get_by_role("button", name="Lưu sự đồng ý").click()
    expect(tab.locator("#outbox-summary")).to_have_text("Không có gì chờ gửi.", timeout=20_000)

    created = Assessment.objects.filter(pk=record)
    assert created.count() == 1
    assessment = created.get()
    assert assessment.citizen is not None
    assert assessment.citizen.full_name == "Lò Văn Thanh"
    consents = Consent.objects.filter(citizen=assessment.citizen)
    assert list(consents.values_list("method", flat=True)) == ["verbal"]
    # Sending again changes nothing.
    tab.evaluate("HoctapField.sync({})")
    assert Assessment.objects.filter(citizen=assessment.citizen).count() == 1
    assert consents.count() == 1
    context.close()


def test_nobody_enrolled_this_period_is_offered_enrol_again(
    demo_server: str, browser: Browser
) -> None:
    people = Assessment.objects.filter(period__code=PERIOD, citizen__home_unit__code=BRANCH)
    reviewed = people.filter(unit__code=BRANCH, state=State.BRANCH_REVIEWED).first()
    elsewhere = people.exclude(unit__code=BRANCH).first()
    free = (
        Citizen.objects.filter(home_unit__code=BRANCH)
        .exclude(assessments__period__code=PERIOD)
        .order_by("search_name")
        .first()
    )
    assert reviewed is not None
    assert reviewed.citizen is not None
    assert elsewhere is not None
    assert elsewhere.citizen is not None
    assert free is not None
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    tab = context.new_page()
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    go_offline(context)

    def card(name: str) -> Any:
        tab.fill("#search", name)
        return tab.locator("#people li", has_text=name)

    # Sent up the workflow already: its state, and nothing to do on the phone.
    found = card(reviewed.citizen.full_name)
    expect(found.locator(".state")).to_have_text("Chi hội đã xét")
    expect(found.get_by_role("link")).to_have_count(0)
    # Enrolled at an agency outside the branch officer's area: only that much is told.
    found = card(elsewhere.citizen.full_name)
    expect(found.locator(".state")).to_have_text("Đã ghi danh kỳ này ở đơn vị khác")
    expect(found.get_by_role("link")).to_have_count(0)
    # An old link to the enrol form does not open it for them.
    tab.goto(f"{demo_server}/field/#enrol/{elsewhere.citizen.pk}")
    expect(tab.locator("#notice")).to_have_text("Người này đã được ghi danh kỳ này.")
    expect(tab.locator("#screen-home")).to_be_visible()

    # Typed in by hand as a new person, someone on the list is still one person, enrolled on
    # the phone, with no second enrol button.
    enrol_new(tab, free.full_name, str(free.birth_year))
    tab.locator("#screen-assess").get_by_role("link", name="Quay lại").click()
    found = card(free.full_name)
    expect(found).to_have_count(1)
    expect(found.locator(".state")).to_have_text("Đã ghi danh trên máy")
    expect(found.get_by_role("link", name="Ghi danh")).to_have_count(0)
    context.close()


def test_a_duplicate_enrolment_and_a_cccd_of_another_unit_are_told_apart(
    demo_server: str, browser: Browser
) -> None:
    from hoctap.assessments.enrolment import ConsentInput, PersonInput, enrolment_create
    from hoctap.assessments.models import Period
    from hoctap.people.models import ConsentMethod, Sex

    free = (
        Citizen.objects.filter(home_unit__code=BRANCH)
        .exclude(assessments__period__code=PERIOD)
        .order_by("search_name")
        .first()
    )
    stranger = (
        Citizen.objects.exclude(home_unit__path__startswith="/1/2/3/11/")
        .filter(national_id__isnull=False)
        .first()
    )
    assert free is not None
    assert stranger is not None
    assert stranger.national_id
    context = browser.new_context(locale="vi-VN", viewport=PHONE, service_workers="allow")
    tab = context.new_page()
    log_in(tab, demo_server, "chihoi.quaicang")
    download(tab, demo_server)
    go_offline(context)
    tab.fill("#search", free.full_name)
    tab.locator("#people li", has_text=free.full_name).get_by_role("link", name="Ghi danh").click()
    tab.select_option("#enrol-group", "G1")
    consent(tab)
    tab.click("#enrol-form button[type=submit]")
    expect(tab.locator("#assess-title")).to_have_text(free.full_name)
    tab.locator("#screen-assess").get_by_role("link", name="Quay lại").click()
    enrol_new(tab, "Lò Thị Sương", "1991", national_id=stranger.national_id)

    # Meanwhile the commune officer enrols the same person at the office.
    enrolment_create(
        user=User.objects.get(username="quaicang"),
        period=Period.objects.get(code=PERIOD),
        unit_code=BRANCH,
        group="G1",
        person=PersonInput(
            full_name=free.full_name,
            birth_year=free.birth_year,
            sex=Sex(free.sex),
            household=free.household.code if free.household else "",
        ),
        consent=ConsentInput(method=ConsentMethod.PAPER),
    )

    go_online(context)
    items = tab.locator("#outbox-items li.conflict")
    expect(items).to_have_count(2, timeout=20_000)
    duplicate = items.filter(has_text=free.full_name)
    expect(duplicate.locator(".status")).to_have_text(
        "Người này đã được ghi danh kỳ này (có thể do cán bộ khác)."
    )
    expect(items.filter(has_text="Lò Thị Sương").locator(".status")).to_have_text(
        "Số CCCD này thuộc một đơn vị khác."
    )
    expect(tab.locator("#outbox-items")).not_to_contain_text("sửa ở văn phòng")
    assert Assessment.objects.filter(period__code=PERIOD, citizen=free).count() == 1
    context.close()

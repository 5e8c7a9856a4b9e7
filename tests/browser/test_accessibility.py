"""WCAG 2.1 A/AA checks with axe-core, keyboard use, and the weight of the self-assessment page.

axe finds what a machine can decide (contrast, names, labels, landmarks, lang); reading order,
meaningful wording and screen-reader use remain manual checks (docs/decisions/0013).
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, ViewportSize

from hoctap.assessments.models import Assessment, State
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen
from tests.browser.conftest import PHONE, PageErrors, axe_describe, axe_problems, log_in

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
BUDGET = 150 * 1024  # bytes


def _quai_cang_registered() -> Assessment:
    quai_cang = Unit.objects.get(code="03289")
    registered = Assessment.objects.filter(
        unit__path__startswith=quai_cang.path,
        period__code="2021-2022",
        state=State.REGISTERED,
        citizen__isnull=False,
    )
    first = registered.order_by("id").first()
    assert first is not None, "the demo has no registered Quài Cang assessment in 2021-2022"
    return first


def _quai_cang_citizen() -> Citizen:
    citizen = _quai_cang_registered().citizen
    assert citizen is not None
    return citizen


def _tab_to(tab: Page, element_id: str, presses: int = 60) -> bool:
    """Press Tab until the element with this id has focus; False if it never does."""
    for _ in range(presses):
        if tab.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return True
        tab.keyboard.press("Tab")
    return False


def _pages() -> list[str]:
    assessment = _quai_cang_registered()
    return [
        "/",
        "/assessments/?period=2020-2021",
        f"/assessments/{assessment.pk}/",
        "/assessments/new?period=2021-2022",
        "/people/",
        f"/people/{_quai_cang_citizen().pk}/",
        "/reports/summary?period=2020-2021&unit=03289",
        "/imports/",
        "/accounts/2fa/",
        "/accounts/tokens/",
        "/accounts/password/",
        "/accounts/users/",
        "/units/03289/?on=01/06/2021",
        "/people/households/",
        "/periods/2021-2022/",
        "/people/requests/",
        "/guide/",
        "/guide/chi-hoi/",
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_main_page_passes_axe_wcag_2_1_aa(
    demo_server: str, page: tuple[Page, PageErrors], viewport: ViewportSize
) -> None:
    tab, errors = page
    tab.set_viewport_size(viewport)
    found: dict[str, str] = {}
    tab.goto(f"{demo_server}/accounts/login/")
    if violations := axe_problems(tab):
        found["/accounts/login/"] = axe_describe(violations)
    log_in(tab, demo_server, "quaicang")
    for path in _pages():
        response = tab.goto(f"{demo_server}{path}")
        assert response is not None
        assert response.ok, path
        if violations := axe_problems(tab):
            found[path] = axe_describe(violations)
    assert found == {}, "\n\n".join(f"{path}\n{text}" for path, text in found.items())
    assert errors == []


def test_tab_reaches_the_first_score_with_a_visible_focus(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, errors = page
    log_in(tab, demo_server, "quaicang")
    tab.goto(f"{demo_server}/assessments/{_quai_cang_registered().pk}/")
    first_score = tab.locator("input[id^=id_CS]").first
    target = first_score.get_attribute("id")
    assert target
    assert _tab_to(tab, target), f"Tab never reached #{target}"
    ring = tab.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {outline: style.outlineStyle, width: style.outlineWidth,
                    shadow: style.boxShadow,
                    visible: document.activeElement.matches(":focus-visible")};
        }"""
    )
    assert ring["visible"], ring
    outlined = ring["outline"] != "none" and ring["width"] != "0px"
    assert outlined or ring["shadow"] != "none", ring
    assert errors == []


def test_the_login_form_works_with_the_keyboard_alone(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, errors = page
    tab.goto(f"{demo_server}/accounts/login/")
    assert _tab_to(tab, "id_username")
    tab.keyboard.type("quaicang")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "id_password"
    tab.keyboard.type("hoctap-demo")
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{demo_server}/")
    assert tab.locator("header form[action='/accounts/logout/'] button").count() == 1
    assert errors == []


def test_the_self_assessment_page_is_light_and_first_party(
    demo_server: str, browser: Browser
) -> None:
    signed_in = browser.new_context(locale="vi-VN")
    log_in(signed_in.new_page(), demo_server, "quaicang")
    session = signed_in.storage_state()
    signed_in.close()
    # A new context shares only the session cookie: its cache is empty, so every asset counts.
    context = browser.new_context(locale="vi-VN", storage_state=session)
    tab = context.new_page()
    requested: list[str] = []
    responses: list[Response] = []
    # Requests, not responses, catch third-party assets: with no internet they never answer.
    tab.on("request", lambda request: requested.append(request.url))
    tab.on("response", lambda response: responses.append(response))
    tab.goto(f"{demo_server}/assessments/{_quai_cang_registered().pk}/", wait_until="networkidle")
    assert tab.locator("input[id^=id_CS]").count() > 0
    # The live server does not gzip, so the raw body is an upper bound of what crosses the
    # wire (WhiteNoise's compressed files or a gzipping proxy send less). Playwright's
    # request.sizes() cannot stand in: Chromium reports streamed static files as negative.
    total = sum(
        len(response.body()) + response.request.sizes()["responseHeadersSize"]
        for response in responses
    )
    context.close()
    host = urlsplit(demo_server).netloc
    assert [url for url in requested if urlsplit(url).netloc != host] == []
    assert len(responses) >= 3, [response.url for response in responses]
    print(f"self-assessment page: {total} bytes in {len(responses)} responses")
    assert total < BUDGET, f"{total} bytes: {[response.url for response in responses]}"

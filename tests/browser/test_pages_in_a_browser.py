from playwright.sync_api import Page

from tests.browser.conftest import PHONE, PageErrors, log_in


def test_the_district_reads_98_11_percent_in_a_real_browser(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, errors = page
    log_in(tab, demo_server, "tuangiao")
    tab.goto(f"{demo_server}/reports/summary?period=2020-2021&unit=099")
    assert "98,11 %" in tab.inner_text("#report")
    assert tab.locator("#report svg").count() == 1
    assert errors == []


def test_the_login_page_speaks_vietnamese_and_switches_to_english(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, errors = page
    tab.goto(f"{demo_server}/accounts/login/")
    assert tab.locator("h1").inner_text() == "Đăng nhập"
    tab.click("button[name=language][value=en]")
    tab.wait_for_load_state()
    assert tab.locator("h1").inner_text() == "Log in"
    assert errors == []


def test_quai_nua_opening_quai_cangs_report_gets_not_found(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, _errors = page
    log_in(tab, demo_server, "quainua")
    response = tab.goto(f"{demo_server}/reports/summary?period=2020-2021&unit=03289")
    assert response is not None
    assert response.status == 404


def test_pages_fit_a_360_pixel_phone_without_sideways_scrolling(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, errors = page
    tab.set_viewport_size(PHONE)
    log_in(tab, demo_server, "quaicang")
    pages = ("/", "/people/", "/imports/", "/reports/summary?period=2020-2021", "/guide/xa/")
    for path in pages:
        tab.goto(f"{demo_server}{path}")
        overflow = tab.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
    assert errors == []

from collections.abc import Iterable

from playwright.sync_api import Frame, Page, expect

from hoctap.assessments.models import Assessment, State
from tests.browser.conftest import PageErrors, log_in


def _assessed(tab: Page, base: str) -> int:
    tab.goto(f"{base}/reports/summary?period=2021-2022&unit=03289")
    cells = tab.locator("table.figures").first.locator("tfoot td")
    return int(cells.nth(1).inner_text())


class Journey:
    """A person's taps and the pages they wait for, counted as they go."""

    def __init__(self, tab: Page) -> None:
        self.tab, self.taps, self.loads = tab, 0, 0
        tab.on("framenavigated", self._navigated)

    def _navigated(self, frame: Frame) -> None:
        if frame == self.tab.main_frame:
            self.loads += 1

    def tap(self, selector: str) -> None:
        self.taps += 1
        self.tab.locator(selector).first.click()

    def pick(self, selector: str, label: str) -> None:
        """Open a drop-down and choose: one tap to open, one to choose."""
        self.taps += 2
        self.tab.select_option(selector, label=label)

    def write(self, selector: str, text: str) -> None:
        """Tap into a field and type; the typing itself is not counted."""
        self.taps += 1
        self.tab.fill(selector, text)


MOST_TAPS, MOST_LOADS = 25, 8


def test_a_commune_officer_enrols_then_prints_a_certificate_in_few_taps_on_a_phone(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, errors = page
    tab.set_viewport_size({"width": 360, "height": 740})
    log_in(tab, demo_server, "quaicang")
    before = _assessed(tab, demo_server)
    tab.goto(f"{demo_server}/assessments/?period=2021-2022")
    walk = Journey(tab)

    walk.tap("main a:has-text('Ghi danh')")
    walk.pick("#id_unit", "\u2003Chi hội khuyến học bản Cang")
    walk.write("#id_full_name", "Lò Thị Xuân")
    walk.write("#id_birth_year", "1991")
    walk.tap("label:has-text('Nữ')")
    walk.pick("#id_ethnicity", "Thái")
    walk.pick("#id_group", "Nông dân và người lao động (G1)")
    walk.tap("#id_consent")
    walk.tap("main button:has-text('Ghi danh')")
    tab.wait_for_selector("#state")
    assert "Lò Thị Xuân" in tab.inner_text("h1")

    for i in range(1, 11):
        tab.fill(f"#id_CS{i}", "9")  # typing scores aside
    expect(tab.locator("#preview")).to_contain_text("Đạt")
    walk.tap("button:has-text('Lưu, hoàn thành và nộp')")
    expect(tab.locator("#state")).to_have_text("Đã nộp")
    walk.tap("button:has-text('Chấp nhận điểm tự chấm và xác nhận đã xét')")
    expect(tab.locator("#state")).to_have_text("Chi hội đã xét")
    walk.write("#number", "31/QĐ-HKH")
    walk.write("#date", "20/05/2022")
    walk.tap("button:has-text('Chấp nhận điểm chi hội và công nhận')")
    expect(tab.locator("#result")).to_have_text("Đạt")
    walk.tap("button:has-text('Cấp giấy chứng nhận')")
    link = tab.locator("#certificates a:has-text('PDF')")
    pdf = tab.request.get(demo_server + str(link.get_attribute("href")))
    walk.taps += 1  # the certificate is opened to be printed
    walk.loads += 1
    assert pdf.headers["content-type"] == "application/pdf"

    print(f"Ghi danh → certificate: {walk.taps} taps, {walk.loads} page loads")
    assert walk.taps <= MOST_TAPS
    assert walk.loads <= MOST_LOADS
    assert _assessed(tab, demo_server) == before + 1
    assert errors == []


def _layer_shown(tab: Page, codes: Iterable[str], layer: str) -> dict[str, str]:
    """Return one layer's scores as the assessment page shows them, by indicator."""
    return {
        code: tab.locator(f"#indicator-{code} dd[data-layer={layer}]").inner_text()
        for code in codes
    }


def test_a_branch_officer_sees_every_self_score_before_any_click(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, errors = page
    tab.set_viewport_size({"width": 360, "height": 740})
    submitted = Assessment.objects.filter(
        period__code="2021-2022", state=State.SUBMITTED, unit__code="03289-CH1"
    ).first()
    assert submitted is not None
    log_in(tab, demo_server, "chihoi.quaicang")
    tab.goto(f"{demo_server}/assessments/{submitted.pk}/")
    shown = _layer_shown(tab, submitted.self_scores, "self")
    assert shown == {c: v.replace(".", ",") for c, v in submitted.self_scores.items()}
    for code in submitted.self_scores:
        expect(tab.locator(f"#indicator-{code} dd[data-layer=self]")).to_be_visible()
    # The way on sits within the first screen: no scrolling to find it.
    button = tab.locator("#step-review button").bounding_box()
    assert button is not None
    assert button["y"] + button["height"] <= 740
    header = tab.locator("header.top").bounding_box()
    assert header is not None
    assert header["height"] <= 0.15 * 740
    assert errors == []


def test_a_decision_never_writes_a_score_the_decider_did_not_see(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, errors = page
    reviewed = Assessment.objects.filter(
        period__code="2021-2022", state=State.BRANCH_REVIEWED, unit__code__startswith="03289"
    ).first()
    assert reviewed is not None
    log_in(tab, demo_server, "quaicang")
    tab.goto(f"{demo_server}/assessments/{reviewed.pk}/")
    seen = _layer_shown(tab, reviewed.reviewer_scores, "reviewer")
    tab.fill("#number", "32/QĐ-HKH")
    tab.fill("#date", "20/05/2022")
    tab.click("button:has-text('Chấp nhận điểm chi hội và công nhận')")
    expect(tab.locator("#state")).to_have_text("Đã công nhận")
    reviewed.refresh_from_db()
    assert {c: v.replace(".", ",") for c, v in reviewed.final_scores.items()} == seen
    decide = reviewed.events.get(action="decide")
    assert decide.changes["accepted"] == "reviewer"
    assert errors == []


def test_the_same_flow_fits_a_phone(demo_server: str, page: tuple[Page, PageErrors]) -> None:
    tab, errors = page
    tab.set_viewport_size({"width": 360, "height": 740})
    log_in(tab, demo_server, "quaicang")
    tab.goto(f"{demo_server}/assessments/?period=2021-2022&state=registered")
    tab.locator("ul.rows a").first.click()
    tab.wait_for_selector("#state")
    overflow = tab.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    height = tab.locator("main button[type=submit]").first.bounding_box()
    assert height is not None
    assert height["height"] >= 44
    assert errors == []

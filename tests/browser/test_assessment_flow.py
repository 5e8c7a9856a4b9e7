import io

from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.conftest import PageErrors, log_in


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def _assessed(tab: Page, base: str) -> int:
    tab.goto(f"{base}/reports/summary?period=2021-2022&unit=03289")
    cells = tab.locator("table.figures").first.locator("tfoot td")
    return int(cells.nth(1).inner_text())


def test_a_commune_officer_takes_a_person_from_enrolment_to_decision(
    demo_server: str, page: tuple[Page, PageErrors]
) -> None:
    tab, errors = page
    log_in(tab, demo_server, "quaicang")
    before = _assessed(tab, demo_server)

    tab.goto(f"{demo_server}/assessments/new?period=2021-2022")
    tab.fill("#id_unit", "03289-CH2")
    tab.fill("#id_full_name", "Lò Thị Xuân")
    tab.fill("#id_birth_year", "1991")
    tab.select_option("#id_sex", "female")
    tab.fill("#id_ethnicity", "Thái")
    tab.fill("#id_group", "G1")
    tab.click("main button[type=submit]")
    tab.wait_for_selector("#state")
    assert "Lò Thị Xuân" in tab.inner_text("h1")

    for i in range(1, 11):
        tab.fill(f"#id_CS{i}", "9")
    expect(tab.locator("#preview")).to_contain_text("Đạt")
    tab.click("text=Lưu điểm")
    tab.wait_for_selector("text=Đã lưu điểm.")

    photo: FilePayload = {"name": "sach.png", "mimeType": "image/png", "buffer": _photo()}
    tab.set_input_files("#id_file", files=[photo])
    tab.check("input[name=indicators][value=CS1]")
    tab.click("text=Thêm minh chứng")
    tab.wait_for_selector("text=sach.png")

    for label in ("Hoàn thành tự đánh giá", "Nộp", "Xác nhận đã xét"):
        tab.click(f"button:has-text('{label}')")
        tab.wait_for_selector("text=Đã thực hiện.")
    tab.fill("#number", "31/QĐ-HKH")
    tab.fill("#date", "20/05/2022")
    tab.click("button:has-text('Công nhận')")
    tab.wait_for_selector("#result")
    assert tab.inner_text("#state") == "Đã công nhận"
    assert tab.inner_text("#result") == "Đạt"

    assert _assessed(tab, demo_server) == before + 1
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

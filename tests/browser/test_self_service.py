"""The citizen's own phone: scan the printed QR code, self-assess with a photo, send."""

import io

import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, FilePayload, Page, expect

from hoctap.assessments.models import Assessment, State
from tests.browser.conftest import PHONE, PageErrors, axe_describe, axe_problems, log_in


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (200, 120, 60)).save(out, format="JPEG", quality=95)
    return out.getvalue()


def _scan(png: bytes) -> str:
    """Read the QR code in a screenshot, as a phone camera would."""
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, "no QR code could be read from the printed card"
    return str(found[0].text)


def test_a_citizen_scans_the_card_and_self_assesses_on_a_phone(
    demo_server: str, page: tuple[Page, PageErrors], browser: Browser
) -> None:
    a = Assessment.objects.filter(
        period__code="2021-2022", state=State.REGISTERED, unit__code__startswith="03289"
    ).first()
    assert a is not None
    assert a.citizen is not None
    officer, errors = page
    log_in(officer, demo_server, "quaicang")
    officer.goto(f"{demo_server}/assessments/{a.pk}/")
    officer.click("button:has-text('In thẻ tự đánh giá')")
    officer.wait_for_selector("#access-card")
    link = _scan(officer.locator(".qr svg").screenshot())
    assert link.startswith(f"{demo_server}/self/")

    phone = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    tab = phone.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    tab.on("console", console)
    tab.goto(link)
    assert tab.url == f"{demo_server}/self/assessment"  # the code left the address bar
    problems = axe_problems(tab)
    assert problems == [], axe_describe(problems)
    assert a.citizen.full_name in tab.inner_text("main")
    for i in range(1, 11):
        tab.fill(f"#id_CS{i}", "8")
    expect(tab.locator("#preview")).to_contain_text("Đạt")
    tab.click("text=Lưu điểm")
    tab.wait_for_selector("text=Đã lưu điểm.")

    photo: FilePayload = {"name": "lop-hoc.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
    tab.set_input_files("#id_file", files=[photo])
    tab.check("input[name=indicators][value=CS2]")
    with tab.expect_request(lambda r: r.url.endswith("/self/assessment/evidence")) as sent:
        tab.click("text=Thêm minh chứng")
    tab.wait_for_selector("text=lop-hoc.jpg")
    # What crossed the network, not what the server kept: the phone did the shrinking.
    assert sent.value.sizes()["requestBodySize"] < len(_photo()) // 2

    overflow = tab.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    tab.click("button:has-text('Hoàn thành tự đánh giá')")
    tab.wait_for_selector("text=Đã thực hiện.")
    tab.click("button:has-text('Gửi cho chi hội')")
    tab.wait_for_selector("#done")

    a.refresh_from_db()
    assert a.state == State.SUBMITTED
    assert a.self_scores == {f"CS{i}": "8" for i in range(1, 11)}
    # The photo was shrunk on the phone before it was sent.
    evidence = a.evidence.get()
    assert evidence.size < len(_photo())
    with Image.open(evidence.file) as stored:
        assert max(stored.size) <= 1600
    assert errors == []
    # Scanning the card again opens nothing now (the browser logs the 404 it is given).
    tab.goto(link)
    assert "hết hiệu lực" in tab.inner_text("main")
    phone.close()

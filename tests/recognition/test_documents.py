"""The certificate and decision PDFs: A4, Vietnamese text that survives, a QR that scans."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from unittest.mock import patch

import pytest
import segno
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment, Period
from hoctap.organisation.models import Unit
from hoctap.recognition.documents import certificates_pdf, decision_pdf, qr_data_uri
from hoctap.recognition.models import Certificate
from hoctap.recognition.selectors import decisions, recognised
from hoctap.recognition.services import certificate_issue

pytestmark = pytest.mark.django_db

A4 = (595, 842)  # points, rounded


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _squashed(text: str) -> str:
    """Drop white space: the extractor breaks lines where the layout wraps them."""
    return "".join(text.split())


def _link(c: Certificate) -> str:
    return f"http://testserver/verify/{c.token}"


def test_a_certificate_is_an_a4_pdf_in_vietnamese(
    commune_officer: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    pdf = certificates_pdf([c], _link)
    assert pdf.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
    text = _text(pdf)[0]
    assert "GIẤY CHỨNG NHẬN" in text
    assert "CÔNG DÂN HỌC TẬP" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert recognised.citizen is not None
    assert recognised.citizen.full_name in text
    assert c.serial in text
    assert "12/QĐ-HKH" in text


def test_the_qr_code_on_a_certificate_scans_to_its_verification_link(
    commune_officer: User, recognised: Assessment
) -> None:
    pdftoppm = shutil.which("pdftoppm")
    # .ci/run installs poppler-utils; without it this test must fail, not pass unseen.
    assert pdftoppm is not None, "poppler-utils (pdftoppm) is needed to rasterise the PDF"
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    pdf = certificates_pdf([c], _link)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "c.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [pdftoppm, "-r", "150", "-png", "-singlefile", str(source), f"{folder}/page"],
            check=True,
        )
        found = zxingcpp.read_barcodes(Image.open(f"{folder}/page.png"))
    assert [r.text for r in found] == [_link(c)]


def test_the_qr_code_drawn_on_the_page_is_the_verification_link(
    commune_officer: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    with patch("hoctap.recognition.documents._pdf", return_value=b"") as pdf:
        certificates_pdf([c], _link)
    [page] = pdf.call_args.args[1]["pages"]
    assert page["qr"] == qr_data_uri(_link(c))
    png = io.BytesIO()
    segno.make(_link(c), error="m").save(png, kind="png", scale=6)
    png.seek(0)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(png))] == [_link(c)]


def test_several_certificates_come_one_per_page(commune_officer: User) -> None:
    ids = Assessment.objects.filter(
        period__code="2020-2021", unit__code__startswith="03289", passed=True
    ).values_list("pk", flat=True)[:3]
    issued = [certificate_issue(user=commune_officer, assessment_id=pk) for pk in ids]
    pages = _text(certificates_pdf(issued, _link))
    assert len(pages) == 3
    assert [c.serial in page for c, page in zip(issued, pages, strict=True)] == [True] * 3


def test_the_decision_lists_everyone_it_recognises(commune_officer: User) -> None:
    period = Period.objects.get(code="2020-2021")
    commune = Unit.objects.get(code="03289", valid_to__isnull=False)
    rows = list(recognised(scope=scope_for(commune_officer), period=period, unit=commune))
    [decision] = decisions(rows)
    pdf = decision_pdf(decision, period=period, unit=commune)
    assert pdf.startswith(b"%PDF")
    text = _squashed(" ".join(_text(pdf)))
    for expected in [
        "HỘI KHUYẾN HỌC XÃ QUÀI CANG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Về việc công nhận danh hiệu “Công dân học tập” năm 2021",
        "Số: 12/QĐ-HKH",
        "ngày 28 tháng 05 năm 2021",
        f"Công nhận {len(rows)} công dân",
        "DANH SÁCH CÔNG DÂN ĐƯỢC CÔNG NHẬN",
        "Đạt",
    ]:
        assert _squashed(expected) in text
    for a in rows:
        assert a.citizen is not None
        assert _squashed(a.citizen.full_name) in text

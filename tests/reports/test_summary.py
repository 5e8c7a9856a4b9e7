import io
import json
import zipfile
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment, State
from hoctap.assessments.services import DecisionInput, assessment_transition
from hoctap.reports.render import narrative
from hoctap.reports.selectors import summary_report
from tests.apiclient import ApiClient
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "--period", "2020-2021", "--unit", "099", *args, stdout=out)
    return out.getvalue()


def test_the_json_report_matches_what_the_district_published() -> None:
    body = json.loads(_command("--format", "json"))
    assert body["period"] == "2020-2021"
    assert body["unit"] == {"code": "099", "name": "Huyện Tuần Giáo"}
    assert body["tree"] == "historical"
    assert body["totals"] == {
        "enrolled": 370,
        "assessed": 370,
        "passed": 363,
        "not_passed": 7,
        "pass_rate": 98.11,
    }
    assert [(g["code"], g["enrolled"]) for g in body["by_group"]] == [
        ("G1", 122),
        ("G2", 12),
        ("G3", 236),
    ]
    assert {u["code"] for u in body["by_unit"]} == {"03253", "03289", "03274"}
    assert sum(u["passed"] for u in body["by_unit"]) == 363
    assert [i["code"] for i in body["by_indicator"]] == [f"CS{i}" for i in range(1, 11)]
    assert sum(i["below_min"] for i in body["by_indicator"]) >= 1


def test_the_text_report_and_its_narrative_read_as_published(vietnamese: None) -> None:
    text = _command("--format", "text")
    assert "98,11 %" in text
    assert "Toàn huyện đã tổ chức thí điểm cho 370 công dân" in text
    for figure in ("122 nông dân và người lao động", "12 người buôn bán", "236 cán bộ"):
        assert figure in text


def test_the_csv_starts_with_a_bom_and_holds_the_totals() -> None:
    text = _command("--format", "csv")
    assert text.startswith("\ufeff")
    assert ',370,370,363,7,"98,11"' in text


def test_the_pdf_is_a4_and_shows_the_rate_in_vietnamese(tmp_path: Any, vietnamese: None) -> None:
    target = tmp_path / "r.pdf"
    _command("--format", "pdf", "-o", str(target))
    reader = PdfReader(str(target))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595
    assert round(float(page.mediabox.height)) == 842
    text = "".join(p.extract_text() for p in reader.pages)
    assert "98,11" in text
    assert "Huyện Tuần Giáo" in text
    resources: Any = page["/Resources"]
    fonts = [str(f.get_object()["/BaseFont"]) for f in resources["/Font"].values()]
    assert any("DejaVu" in name or "Noto" in name for name in fonts), fonts


def test_the_xlsx_is_a_real_workbook_with_the_unit_and_signature(tmp_path: Any) -> None:
    target = tmp_path / "r.xlsx"
    _command("--format", "xlsx", "-o", str(target))
    with zipfile.ZipFile(target) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "Huyện Tuần Giáo" in strings
    assert "Xã Quài Cang" in strings


def test_an_unknown_unit_or_period_ends_the_command_with_a_message() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("report", "--period", "1999", "--unit", "099", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("report", "--period", "2020-2021", "--unit", "77777", stdout=io.StringIO())


def test_a_decision_changes_the_report_at_once(district_officer: User) -> None:
    def totals() -> tuple[int, int]:
        r = summary_report(
            scope=scope_for(district_officer), period_code="2021-2022", unit_code="099"
        )
        return r.totals.assessed, r.totals.enrolled

    before = totals()
    waiting = (
        Assessment.objects.filter(
            period__code="2021-2022", state=State.BRANCH_REVIEWED, unit__path__contains="/"
        )
        .select_related("unit")
        .first()
    )
    assert waiting is not None
    officer = User.objects.get(
        username={"03253": "thitran", "03289": "quaicang", "03274": "quainua"}[
            waiting.unit.code.split("-")[0]
        ]
    )
    assessment_transition(
        user=officer,
        assessment_id=waiting.id,
        action="decide",
        version=waiting.version,
        decision=DecisionInput(number="1/QĐ", date=waiting.period.ends_on, body="Hội"),
        accept="reviewer",
    )
    assert totals() == (before[0] + 1, before[1])


def test_the_report_page_shows_the_figures_to_the_district(
    district_officer: User, django_assert_max_num_queries: Any, vietnamese: None
) -> None:
    client = client_for(district_officer)
    # A fixed number, whatever the size of the district: 8 of them count the sibling titles
    # and the learning centres.
    with django_assert_max_num_queries(33):
        response = client.get("/reports/summary", {"period": "2020-2021", "unit": "099"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "98,11 %" in body
    assert "Xã Quài Cang" in body
    assert "<svg" in body


def test_the_report_page_of_another_commune_is_not_found(outsider: User) -> None:
    response = client_for(outsider).get(
        "/reports/summary", {"period": "2020-2021", "unit": "03289"}
    )
    assert response.status_code == 404


def test_a_commune_officer_sees_their_commune_by_default(commune_officer: User) -> None:
    response = client_for(commune_officer).get("/reports/summary", {"period": "2020-2021"})
    assert response.status_code == 200
    assert "Xã Quài Cang" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_the_report_page_downloads_each_format(district_officer: User, fmt: str) -> None:
    response = client_for(district_officer).get(
        "/reports/summary", {"period": "2020-2021", "unit": "099", "format": fmt}
    )
    assert response.status_code == 200
    assert f'filename="bao-cao-099-2020-2021.{fmt}"' in response["Content-Disposition"]


def test_the_report_page_refuses_a_post_and_anonymous_visitors(district_officer: User) -> None:
    assert client_for(district_officer).post("/reports/summary").status_code == 405
    assert Client().get("/reports/summary").status_code == 302


def test_the_api_report_is_scoped(api_district: ApiClient, api_outsider: ApiClient) -> None:
    ok = api_district.get("/reports/summary", period="2020-2021", unit="099")
    assert ok.status_code == 200
    assert ok.json()["totals"]["pass_rate"] == 98.11
    assert api_outsider.get("/reports/summary", period="2020-2021", unit="099").status_code == 404
    assert api_outsider.get("/reports/summary", period="2020-2021", unit="03289").status_code == 404
    assert api_district.post("/reports/summary", {}).status_code == 405


def test_the_narrative_says_what_is_still_in_progress(district_officer: User) -> None:
    report = summary_report(
        scope=scope_for(district_officer), period_code="2021-2022", unit_code="099"
    )
    assert report.totals.enrolled > report.totals.assessed
    assert str(report.totals.enrolled - report.totals.assessed) in narrative(report)


def test_an_administrator_sees_the_whole_country_by_default() -> None:
    admin = User.objects.get(username="admin")
    response = client_for(admin).get("/reports/summary", {"period": "2020-2021"})
    assert response.status_code == 200
    assert "Hội Khuyến học Việt Nam" in response.content.decode()


def test_progress_is_measured_against_the_periods_own_target(district_officer: User) -> None:
    from hoctap.assessments.models import Period

    def officials() -> tuple[float, float]:
        report = summary_report(
            scope=scope_for(district_officer), period_code="2020-2021", unit_code="099"
        )
        row = next(t for t in report.targets if t.code == "officials_cdht")
        return float(row.target_percent), float(row.actual_percent)

    assert officials() == (60.0, 97.88)
    Period.objects.filter(code="2020-2021").update(targets={"officials_cdht": 99})
    assert officials() == (99.0, 97.88)

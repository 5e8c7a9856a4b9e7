"""The officer's recognition page: issuing, downloading, revoking, all within the commune."""

import pytest

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment
from hoctap.audit.models import AccessLogEntry
from hoctap.recognition.models import Certificate
from hoctap.recognition.services import certificate_issue
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PAGE = "/recognition/?period=2020-2021&unit=03289"


def test_the_page_lists_the_people_recognised_and_logs_the_view(
    commune_officer: User, recognised: Assessment, vietnamese: None
) -> None:
    before = AccessLogEntry.objects.count()
    response = client_for(commune_officer).get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert recognised.citizen is not None
    assert recognised.citizen.full_name in body
    assert "Quyết định số 12/QĐ-HKH ngày 28/05/2021" in body
    assert "Cấp giấy chứng nhận còn thiếu" in body
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert entry is not None
    assert entry.object_type == "recognition"
    assert str(recognised.pk) in entry.detail["assessments"]


def test_the_page_keeps_its_query_count_flat(
    commune_officer: User, django_assert_max_num_queries: object
) -> None:
    client = client_for(commune_officer)
    client.post("/recognition/issue", {"period": "2020-2021", "unit": "03289"})
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        assert client.get(PAGE).status_code == 200


def test_a_district_officer_sees_the_list_but_no_issue_button(
    district_officer: User, vietnamese: None
) -> None:
    body = client_for(district_officer).get(PAGE).content.decode()
    assert "Cấp giấy chứng nhận còn thiếu" not in body


def test_an_officer_of_another_commune_gets_404(outsider: User) -> None:
    assert client_for(outsider).get(PAGE).status_code == 404


def test_issuing_all_from_the_page_gives_everyone_a_certificate(
    commune_officer: User, vietnamese: None
) -> None:
    client = client_for(commune_officer)
    response = client.post("/recognition/issue", {"period": "2020-2021", "unit": "03289"})
    assert response.status_code == 302
    passed = Assessment.objects.filter(
        period__code="2020-2021", unit__code__startswith="03289", passed=True
    ).count()
    assert Certificate.objects.count() == passed
    body = client.get(response["Location"]).content.decode()
    assert f"Đã cấp {passed} giấy chứng nhận." in body


def test_issuing_one_from_the_page(commune_officer: User, recognised: Assessment) -> None:
    response = client_for(commune_officer).post(f"/recognition/assessments/{recognised.pk}/issue")
    assert response.status_code == 302
    assert Certificate.objects.get().assessment_id == recognised.pk


def test_revoking_from_the_page_needs_a_reason(
    commune_officer: User, recognised: Assessment, vietnamese: None
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    client = client_for(commune_officer)
    response = client.post(f"/recognition/certificates/{c.pk}/revoke", {"reason": ""}, follow=True)
    assert (
        "Vui lòng nêu lý do." in response.content.decode() or "lý do" in response.content.decode()
    )
    c.refresh_from_db()
    assert c.revoked_at is None
    client.post(f"/recognition/certificates/{c.pk}/revoke", {"reason": "In sai năm sinh"})
    c.refresh_from_db()
    assert c.revoke_reason == "In sai năm sinh"
    body = client.get(PAGE).content.decode()
    assert "Giấy chứng nhận đã thu hồi" in body


def test_downloads_are_pdfs_and_are_logged_as_exports(
    commune_officer: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    client = client_for(commune_officer)
    urls = [
        f"/recognition/certificates/{c.pk}.pdf",
        "/recognition/certificates.pdf?period=2020-2021&unit=03289",
        "/recognition/decision.pdf?period=2020-2021&unit=03289&number=12/QĐ-HKH",
    ]
    before = AccessLogEntry.objects.filter(action="export").count()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment")
    assert AccessLogEntry.objects.filter(action="export").count() == before + 3


def test_an_outsider_downloads_nothing(
    commune_officer: User, outsider: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    client = client_for(outsider)
    for url in [
        f"/recognition/certificates/{c.pk}.pdf",
        "/recognition/certificates.pdf?period=2020-2021&unit=03289",
        "/recognition/decision.pdf?period=2020-2021&unit=03289&number=12/QĐ-HKH",
        f"/recognition/certificates/{c.pk}/revoke",
    ]:
        method = client.post if url.endswith("revoke") else client.get
        assert method(url, {"reason": "x"} if url.endswith("revoke") else {}).status_code == 404
    c.refresh_from_db()
    assert c.revoked_at is None


def test_a_decision_number_that_does_not_exist_is_404(commune_officer: User) -> None:
    url = "/recognition/decision.pdf?period=2020-2021&unit=03289&number=25/QĐ-HKH"
    assert client_for(commune_officer).get(url).status_code == 404

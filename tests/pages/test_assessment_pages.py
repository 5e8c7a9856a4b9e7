from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment, State
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TENS = {f"CS{i}": "10" for i in range(1, 11)}


def _theirs(state: str = State.REGISTERED) -> Assessment:
    found = Assessment.objects.filter(
        period__code="2021-2022", state=state, unit__code__startswith="03289"
    ).first()
    assert found is not None
    return found


def test_the_queue_lists_the_communes_assessments_only(
    commune_officer: User, outsider: User
) -> None:
    mine = client_for(commune_officer).get("/assessments/", {"period": "2020-2021"})
    theirs = client_for(outsider).get("/assessments/", {"period": "2020-2021", "unit": "03289"})
    assert "110 phiếu đánh giá" in mine.content.decode()
    assert theirs.status_code == 404


def test_the_detail_page_offers_the_form_the_officer_may_fill(commune_officer: User) -> None:
    body = client_for(commune_officer).get(f"/assessments/{_theirs().pk}/").content.decode()
    assert "Tự đánh giá" in body
    assert 'name="CS10"' in body


@pytest.mark.parametrize("suffix", ["/", "/preview", "/scores", "/act", "/evidence"])
def test_every_assessment_page_is_not_found_for_another_commune(
    outsider: User, suffix: str
) -> None:
    client = client_for(outsider)
    url = f"/assessments/{_theirs().pk}{suffix}"
    response = client.get(url) if suffix == "/" else client.post(url, {})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("post", "/"), ("get", "/preview"), ("get", "/scores"), ("get", "/act"), ("get", "/evidence")],
)
def test_every_assessment_page_refuses_a_wrong_method(
    commune_officer: User, method: str, suffix: str
) -> None:
    response = getattr(client_for(commune_officer), method)(f"/assessments/{_theirs().pk}{suffix}")
    assert response.status_code == 405


def test_the_preview_computes_the_result_by_the_schemes_rule(commune_officer: User) -> None:
    client = client_for(commune_officer)
    url = f"/assessments/{_theirs().pk}/preview"
    assert "Đạt" in client.post(url, TENS).content.decode()
    failing = {**TENS, "CS7": "4"}
    body = client.post(url, failing).content.decode()
    assert "Chưa đạt" in body
    assert "94" in body
    assert "CS7: 4 &lt; 5" in body


def test_scores_and_actions_go_through_the_workflow(commune_officer: User) -> None:
    client = client_for(commune_officer)
    a = _theirs()
    client.post(f"/assessments/{a.pk}/scores", {**TENS, "version": a.version})
    a.refresh_from_db()
    assert a.self_scores == TENS
    client.post(f"/assessments/{a.pk}/act", {"action": "self_assess", "version": a.version})
    a.refresh_from_db()
    assert a.state == State.SELF_ASSESSED
    stale = client.post(f"/assessments/{a.pk}/act", {"action": "submit", "version": 1}, follow=True)
    a.refresh_from_db()
    assert a.state == State.SELF_ASSESSED
    assert "Người khác vừa sửa phiếu này" in stale.content.decode()


def test_a_return_needs_a_reason(commune_officer: User) -> None:
    a = _theirs(State.SUBMITTED)
    client_for(commune_officer).post(
        f"/assessments/{a.pk}/act", {"action": "return", "version": a.version}
    )
    a.refresh_from_db()
    assert a.state == State.SUBMITTED


def test_enrolment_creates_a_person_and_an_assessment(commune_officer: User) -> None:
    response = client_for(commune_officer).post(
        "/assessments/new?period=2021-2022",
        {
            "period": "2021-2022",
            "unit": "03289-CH3",
            "full_name": "Vàng A Thử",
            "birth_year": "1979",
            "sex": "male",
            "ethnicity": "Mông",
            "group": "G1",
            "consent": "on",
            "consent_how": "paper",
        },
    )
    assert response.status_code == 302
    assert Assessment.objects.filter(citizen__full_name="Vàng A Thử").exists()


def test_enrolment_into_another_commune_is_refused(outsider: User) -> None:
    response = client_for(outsider).post(
        "/assessments/new?period=2021-2022",
        {
            "period": "2021-2022",
            "unit": "03289-CH3",
            "full_name": "Vàng A Thử",
            "birth_year": "1979",
            "sex": "male",
            "group": "G1",
        },
    )
    assert response.status_code == 200
    assert not Assessment.objects.filter(citizen__full_name="Vàng A Thử").exists()


def test_assessment_pages_send_anonymous_visitors_to_log_in() -> None:
    for url in (
        "/assessments/",
        "/assessments/new?period=2021-2022",
        f"/assessments/{_theirs().pk}/",
    ):
        response: Any = Client().get(url)
        assert response.status_code == 302


def test_a_commune_decides_many_reviewed_assessments_at_once(commune_officer: User) -> None:
    client = client_for(commune_officer)
    listed = client.get("/assessments/", {"period": "2021-2022", "state": "branch_reviewed"})
    assert "Công nhận các phiếu đã chọn" in listed.content.decode()
    reviewed = list(
        Assessment.objects.filter(
            period__code="2021-2022", state=State.BRANCH_REVIEWED, unit__code__startswith="03289"
        ).values_list("pk", flat=True)
    )
    assert reviewed
    client.post(
        "/assessments/decide",
        {
            "ids": [str(pk) for pk in reviewed],
            "decision_number": "40/QĐ-HKH",
            "decision_date": "30/05/2022",
            "decision_body": "Hội Khuyến học xã Quài Cang",
        },
    )
    decided = Assessment.objects.filter(pk__in=reviewed)
    assert {a.state for a in decided} == {State.DECIDED}
    assert {a.decision_number for a in decided} == {"40/QĐ-HKH"}


def test_bulk_decide_touches_nothing_of_another_commune(outsider: User) -> None:
    theirs = _theirs(State.BRANCH_REVIEWED)
    client_for(outsider).post(
        "/assessments/decide",
        {"ids": [str(theirs.pk)], "decision_number": "1", "decision_date": "30/05/2022"},
    )
    theirs.refresh_from_db()
    assert theirs.state == State.BRANCH_REVIEWED


def test_bulk_decide_needs_a_number_and_refuses_a_get(
    commune_officer: User, branch_officer: User
) -> None:
    theirs = _theirs(State.BRANCH_REVIEWED)
    client = client_for(commune_officer)
    client.post("/assessments/decide", {"ids": [str(theirs.pk)]})
    theirs.refresh_from_db()
    assert theirs.state == State.BRANCH_REVIEWED
    assert client.get("/assessments/decide").status_code == 405
    listed = client_for(branch_officer).get(
        "/assessments/", {"period": "2021-2022", "state": "branch_reviewed"}
    )
    assert "Công nhận các phiếu đã chọn" not in listed.content.decode()


def test_bulk_decide_never_sends_the_officer_to_another_site(commune_officer: User) -> None:
    response = client_for(commune_officer).post(
        "/assessments/decide", {"ids": [], "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/assessments/"


def test_enrolling_into_another_commune_leaves_no_person_behind(outsider: User) -> None:
    from hoctap.people.models import Citizen

    before = Citizen.objects.count()
    client_for(outsider).post(
        "/assessments/new?period=2021-2022",
        {
            "period": "2021-2022",
            "unit": "03289",
            "full_name": "Người Lạ",
            "birth_year": "1980",
            "sex": "male",
            "group": "G1",
        },
    )
    assert Citizen.objects.count() == before


def test_bulk_decide_ignores_ids_that_are_not_ids(commune_officer: User) -> None:
    response = client_for(commune_officer).post(
        "/assessments/decide",
        {"ids": ["notauuid"], "decision_number": "1", "decision_date": "30/05/2022"},
    )
    assert response.status_code == 302


def test_evidence_shows_in_a_gallery_and_each_view_is_logged(commune_officer: User) -> None:
    import io

    from PIL import Image

    from hoctap.audit.models import AccessAction, AccessLogEntry

    a = _theirs()
    client = client_for(commune_officer)
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 40, 40)).save(out, format="JPEG")
    photo = SimpleUploadedFile("lop.jpg", out.getvalue(), content_type="image/jpeg")
    client.post(f"/assessments/{a.pk}/evidence", {"file": photo, "indicators": ["CS3"]})
    evidence = a.evidence.get()
    page = client.get(f"/assessments/{a.pk}/").content.decode()
    assert f'src="/assessments/evidence/{evidence.pk}?thumb=1"' in page
    full = client.get(f"/assessments/evidence/{evidence.pk}")
    assert full["Content-Type"] == "image/jpeg"
    assert "private" in full["Cache-Control"]
    thumb = client.get(f"/assessments/evidence/{evidence.pk}", {"thumb": "1"})
    with Image.open(io.BytesIO(thumb.content)) as small:
        assert max(small.size) == 320
    views = AccessLogEntry.objects.filter(
        user=commune_officer, action=AccessAction.VIEW, object_type="evidence"
    )
    assert views.count() == 2

import uuid
from typing import Any

import pytest

from hoctap.assessments.models import Assessment, AssessmentEvent
from hoctap.assessments.periods import period_open
from hoctap.audit.models import AccessLogEntry
from hoctap.people.models import Citizen, Consent
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

ALL_TENS = {f"CS{i}": 10 for i in range(1, 11)}


@pytest.fixture
def period_2026(db: None) -> str:
    period_open(code="2026", scheme_code="cdht-2022")
    return "2026"


def _enrolment(**citizen: Any) -> dict[str, Any]:
    person = {
        "full_name": "Lò Thị Ên",
        "birth_year": 1988,
        "sex": "female",
        "ethnicity": "Thái",
        "national_id": None,
        "household": "HG01",
        **citizen,
    }
    return {
        "id": str(uuid.uuid4()),
        "period": "2021-2022",
        "unit": "03289-CH2",
        "group": "G1",
        "citizen": person,
        "consent": {"given": True, "how": "paper"},
    }


def test_enrolling_creates_then_replays_the_same_record(api_commune: ApiClient) -> None:
    body = _enrolment()
    first = api_commune.post("/assessments", body)
    again = api_commune.post("/assessments", body)
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"] == body["id"]
    assert first.json()["state"] == "registered"
    assert Assessment.objects.filter(pk=body["id"]).count() == 1
    assert Citizen.objects.filter(full_name="Lò Thị Ên", birth_year=1988).count() == 1


def test_the_same_id_with_another_body_is_a_conflict(api_commune: ApiClient) -> None:
    body = _enrolment()
    assert api_commune.post("/assessments", body).status_code == 201
    changed = {**body, "group": "G2"}
    response = api_commune.post("/assessments", changed)
    assert response.status_code == 409
    assert Assessment.objects.get(pk=body["id"]).group == "G1"


def test_an_outsider_cannot_enrol_into_another_commune(api_outsider: ApiClient) -> None:
    body = _enrolment()
    assert api_outsider.post("/assessments", body).status_code == 404
    assert not Assessment.objects.filter(pk=body["id"]).exists()
    assert not Citizen.objects.filter(full_name="Lò Thị Ên", birth_year=1988).exists()


def test_an_outsider_replaying_someone_elses_id_learns_nothing(
    api_commune: ApiClient, api_outsider: ApiClient
) -> None:
    body = _enrolment()
    api_commune.post("/assessments", body)
    assert api_outsider.post("/assessments", {**body, "unit": "03274-CH1"}).status_code == 404


def test_bad_input_is_refused_with_every_reason_and_nothing_written(api_commune: ApiClient) -> None:
    body = _enrolment(national_id="123", ethnicity="Klingon")
    response = api_commune.post("/assessments", body)
    assert response.status_code == 400
    assert "12" in response.json()["detail"]
    assert not Assessment.objects.filter(pk=body["id"]).exists()


def test_an_unknown_group_is_refused(api_commune: ApiClient) -> None:
    body = {**_enrolment(), "group": "G9"}
    response = api_commune.post("/assessments", body)
    assert response.status_code == 400
    assert "G9" in response.json()["detail"]


def test_enrolment_refuses_a_delete(api_commune: ApiClient) -> None:
    assert api_commune.call("delete", "/assessments").status_code == 405


def _registered(api: ApiClient) -> dict[str, Any]:
    body = _enrolment()
    response = api.post("/assessments", body)
    assert response.status_code == 201
    data: dict[str, Any] = response.json()
    return data


def test_reading_an_assessment_shows_layers_and_next_actions(api_commune: ApiClient) -> None:
    created = _registered(api_commune)
    body = api_commune.get(f"/assessments/{created['id']}").json()
    assert body["scores"] == {"self": {}, "reviewer": {}, "final": {}}
    assert body["allowed_actions"] == ["self_assess"]
    assert body["citizen"]["full_name"] == "Lò Thị Ên"


def test_an_outsider_gets_404_for_an_assessment_of_quai_cang(
    api_commune: ApiClient, api_outsider: ApiClient
) -> None:
    created = _registered(api_commune)
    path = f"/assessments/{created['id']}"
    assert api_outsider.get(path).status_code == 404
    assert (
        api_outsider.put(
            f"{path}/scores", {"layer": "self", "scores": {}, "version": 1}
        ).status_code
        == 404
    )
    transition = {"action": "self_assess", "version": 1}
    assert api_outsider.post(f"{path}/transitions", transition).status_code == 404
    assert api_commune.get(f"/assessments/{uuid.uuid4()}").status_code == 404


def test_scores_then_a_stale_version_is_a_conflict(api_commune: ApiClient) -> None:
    created = _registered(api_commune)
    path = f"/assessments/{created['id']}/scores"
    first = api_commune.put(path, {"layer": "self", "scores": {"CS1": 8}, "version": 1})
    assert first.status_code == 200
    assert first.json()["version"] == 2
    assert first.json()["scores"]["self"] == {"CS1": "8"}
    stale = api_commune.put(path, {"layer": "self", "scores": {"CS1": 3}, "version": 1})
    assert stale.status_code == 409
    assert Assessment.objects.get(pk=created["id"]).self_scores == {"CS1": "8"}


def test_a_score_out_of_range_is_refused(api_commune: ApiClient) -> None:
    created = _registered(api_commune)
    response = api_commune.put(
        f"/assessments/{created['id']}/scores",
        {"layer": "self", "scores": {"CS1": 11, "CS2": -1}, "version": 1},
    )
    assert response.status_code == 400
    assert len(response.json()["errors"]) == 2


def _act(api: ApiClient, assessment_id: str, action: str, **extra: Any) -> Any:
    version = Assessment.objects.get(pk=assessment_id).version
    return api.post(
        f"/assessments/{assessment_id}/transitions", {"action": action, "version": version, **extra}
    )


def test_the_whole_workflow_over_the_api_ends_in_a_computed_result(api_commune: ApiClient) -> None:
    created = _registered(api_commune)
    aid = created["id"]
    api_commune.put(
        f"/assessments/{aid}/scores", {"layer": "self", "scores": ALL_TENS, "version": 1}
    )
    for action in ["self_assess", "submit"]:
        assert _act(api_commune, aid, action).status_code == 200, action
    assert _act(api_commune, aid, "review", accept="self").status_code == 200
    decided = _act(
        api_commune,
        aid,
        "decide",
        accept="reviewer",
        decision={
            "number": "07/QĐ-HKH",
            "date": "2022-05-20",
            "body": "Hội Khuyến học xã Quài Cang",
        },
    )
    assert decided.status_code == 200
    body = decided.json()
    assert (body["state"], body["result"], body["passed"]) == ("decided", "passed", True)
    assert body["decision"]["number"] == "07/QĐ-HKH"
    actions = list(
        AssessmentEvent.objects.filter(assessment_id=aid).values_list("action", flat=True)
    )
    assert actions == ["register", "scores_self", "self_assess", "submit", "review", "decide"]


def test_an_action_not_possible_now_is_409_and_not_for_the_role_is_403(
    api_commune: ApiClient, api_branch: ApiClient
) -> None:
    created = _registered(api_commune)
    assert _act(api_commune, created["id"], "decide").status_code == 409
    reviewed = Assessment.objects.filter(
        period__code="2021-2022", state="branch_reviewed", unit__code="03289-CH1"
    ).first()
    assert reviewed is not None
    assert (
        _act(
            api_branch, str(reviewed.pk), "decide", decision={"number": "1", "date": "2022-01-01"}
        ).status_code
        == 403
    )


def test_refusals_carry_a_code_that_tells_their_meaning(api_commune: ApiClient) -> None:
    created = _registered(api_commune)
    not_now = _act(api_commune, created["id"], "decide")
    stale = api_commune.put(
        f"/assessments/{created['id']}/scores",
        {"layer": "self", "scores": {"CS1": 8}, "version": 99},
    )
    assert (not_now.status_code, not_now.json()["code"]) == (409, "not_allowed_now")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")


def test_an_enrolment_without_consent_is_refused_and_writes_nothing(
    api_commune: ApiClient,
) -> None:
    people = Citizen.objects.count()
    for consent in (None, {"given": False, "how": "paper"}):
        body = {**_enrolment(full_name="Quàng Văn Chưa"), "consent": consent}
        response = api_commune.post("/assessments", body)
        assert response.status_code == 400
        assert response.json()["code"] == "consent_missing"
        assert "đồng ý" in response.json()["detail"]
    missing = {k: v for k, v in _enrolment().items() if k != "consent"}
    assert api_commune.post("/assessments", missing).json()["code"] == "consent_missing"
    assert Citizen.objects.count() == people


def test_an_enrolment_records_how_consent_was_given(api_commune: ApiClient) -> None:
    body = {**_enrolment(full_name="Lường Thị Đồng"), "consent": {"given": True, "how": "verbal"}}
    assert api_commune.post("/assessments", body).status_code == 201
    consent = Consent.objects.get(citizen__full_name="Lường Thị Đồng")
    assert (consent.method, consent.notice_version, consent.withdrawn_at) == (
        "verbal",
        "2026-01",
        None,
    )


def test_enrolling_the_same_person_twice_is_a_duplicate_not_an_id_conflict(
    api_commune: ApiClient,
) -> None:
    first = _enrolment(full_name="Cà Văn Hai", national_id="011088776655")
    assert api_commune.post("/assessments", first).status_code == 201
    twice = api_commune.post("/assessments", {**first, "id": str(uuid.uuid4())})
    same_id = api_commune.post("/assessments", {**first, "group": "G2"})
    assert (twice.status_code, twice.json()["code"]) == (409, "duplicate_enrolment")
    assert (same_id.status_code, same_id.json()["code"]) == (409, "id_conflict")


def _version(aid: str) -> int:
    return Assessment.objects.get(pk=aid).version


def _submitted(api: ApiClient) -> str:
    aid = _registered(api)["id"]
    api.put(f"/assessments/{aid}/scores", {"layer": "self", "scores": ALL_TENS, "version": 1})
    for action in ["self_assess", "submit"]:
        assert _act(api, aid, action).status_code == 200, action
    return str(aid)


def test_reviewing_an_empty_layer_needs_the_self_scores_accepted_explicitly(
    api_commune: ApiClient,
) -> None:
    aid = _submitted(api_commune)
    blind = _act(api_commune, aid, "review")
    assert (blind.status_code, blind.json()["code"]) == (409, "layer_empty")
    assert Assessment.objects.get(pk=aid).reviewer_scores == {}
    wrong = _act(api_commune, aid, "review", accept="reviewer")
    assert wrong.status_code == 400
    accepted = _act(api_commune, aid, "review", accept="self")
    assert accepted.status_code == 200
    assert accepted.json()["scores"]["reviewer"] == dict.fromkeys(ALL_TENS, "10")
    event = AssessmentEvent.objects.filter(assessment_id=aid, action="review").get()
    assert event.changes["accepted"] == "self"


def test_deciding_takes_only_the_scores_the_decider_entered_or_accepted(
    api_commune: ApiClient,
) -> None:
    aid = _submitted(api_commune)
    api_commune.put(
        f"/assessments/{aid}/scores",
        {"layer": "reviewer", "scores": ALL_TENS, "version": _version(aid)},
    )
    assert _act(api_commune, aid, "review").status_code == 200
    decision = {"number": "3/QĐ-HKH", "date": "2022-05-20"}
    blind = _act(api_commune, aid, "decide", decision=decision)
    assert (blind.status_code, blind.json()["code"]) == (409, "layer_empty")
    assert Assessment.objects.get(pk=aid).state == "branch_reviewed"
    own = api_commune.put(
        f"/assessments/{aid}/scores",
        {"layer": "final", "scores": {**ALL_TENS, "CS6": 4}, "version": _version(aid)},
    )
    assert own.status_code == 200
    decided = _act(api_commune, aid, "decide", decision=decision)
    assert (decided.status_code, decided.json()["result"]) == (200, "not_passed")
    event = AssessmentEvent.objects.filter(assessment_id=aid, action="decide").get()
    assert "accepted" not in event.changes


def test_listing_is_scoped_and_filtered(api_commune: ApiClient, api_outsider: ApiClient) -> None:
    mine = api_commune.get("/assessments", period="2020-2021").json()
    theirs = api_outsider.get("/assessments", period="2020-2021", unit="03289")
    assert mine["count"] == 110
    assert len(mine["items"]) == 50
    assert theirs.status_code == 404
    decided = api_commune.get("/assessments", period="2021-2022", state="decided").json()
    assert decided["count"] > 0
    assert {item["state"] for item in decided["items"]} == {"decided"}


def test_evidence_upload_and_logged_view(
    api_commune: ApiClient, api_outsider: ApiClient, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    created = _registered(api_commune)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = api_commune.client.post(
        f"/api/v1/assessments/{created['id']}/evidence",
        {"file": _file("bien-ban.pdf", pdf), "indicators": "CS1, CS3"},
        headers=api_commune.headers,
    )
    assert upload.status_code == 201, upload.content
    body = upload.json()
    import hashlib

    assert body["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert body["indicators"] == ["CS1", "CS3"]
    file_url = f"/evidence/{body['id']}"
    assert api_outsider.get(file_url).status_code == 404
    response = api_commune.get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert AccessLogEntry.objects.filter(object_type="evidence", object_id=body["id"]).count() == 1


def _file(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_a_cccd_from_another_commune_is_refused_without_naming_the_person(
    api_commune: ApiClient,
) -> None:
    theirs = Citizen.objects.filter(home_unit__parent__code="03274").exclude(national_id=None)[0]
    body = _enrolment(national_id=theirs.national_id, full_name="Tên Khác", birth_year=1970)
    response = api_commune.post("/assessments", body)
    assert response.status_code == 409
    assert theirs.full_name not in response.content.decode()
    assert not Assessment.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("delete", ""),
        ("post", ""),
        ("get", "/scores"),
        ("get", "/transitions"),
        ("get", "/evidence"),
    ],
)
def test_each_assessment_operation_refuses_a_wrong_method(
    api_commune: ApiClient, method: str, suffix: str
) -> None:
    created = _registered(api_commune)
    response = api_commune.call(method, f"/assessments/{created['id']}{suffix}", {})
    assert response.status_code == 405


def test_evidence_download_refuses_a_post(api_commune: ApiClient) -> None:
    assert api_commune.post(f"/evidence/{uuid.uuid4()}", {}).status_code == 405


def test_reading_an_assessment_over_the_api_is_logged(api_commune: ApiClient) -> None:
    created = _registered(api_commune)
    api_commune.get(f"/assessments/{created['id']}")
    api_commune.get("/assessments", period="2021-2022")
    assert AccessLogEntry.objects.filter(object_type="assessment", object_id=created["id"]).exists()
    assert AccessLogEntry.objects.filter(object_type="assessment", action="search").exists()


@pytest.mark.parametrize("page", ["4611686018427387904", "0", "-3"])
def test_an_absurd_page_number_is_refused_with_400(api_commune: ApiClient, page: str) -> None:
    response = api_commune.get("/assessments", period="2021-2022", page=page)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"

import pytest
from django.test import Client

from hoctap.accounts.models import ApiToken, User
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db


def test_a_right_password_gives_a_token_that_opens_the_api(commune_officer: User) -> None:
    response = Client().post(
        "/api/v1/token",
        {"username": "quaicang", "password": "hoctap-demo"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    unit = Client().get(
        "/api/v1/units/03289?date=2021-03-01", headers={"Authorization": f"Bearer {token}"}
    )
    assert unit.status_code == 200
    assert ApiToken.objects.filter(user=commune_officer).count() == 1
    assert token not in ApiToken.objects.get(user=commune_officer).digest


def test_a_wrong_password_is_refused_in_vietnamese() -> None:
    response = Client().post(
        "/api/v1/token",
        {"username": "quaicang", "password": "sai-mat-khau"},
        content_type="application/json",
        headers={"Accept-Language": "vi"},
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Sai tên đăng nhập hoặc mật khẩu."


def test_the_token_endpoint_refuses_a_get() -> None:
    assert Client().get("/api/v1/token").status_code == 405


def test_no_token_or_a_made_up_one_is_refused() -> None:
    assert Client().get("/api/v1/units/03289").status_code == 401
    made_up = {"Authorization": "Bearer hoctap_not-a-real-token"}
    assert Client().get("/api/v1/units/03289", headers=made_up).status_code == 401


def test_a_revoked_token_no_longer_works(commune_officer: User) -> None:
    client = ApiClient(commune_officer)
    ApiToken.objects.filter(user=commune_officer).update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get("/units/03289").status_code == 401


def test_a_commune_officer_reads_their_commune_and_its_children(api_commune: ApiClient) -> None:
    response = api_commune.get("/units/03289", date="2021-03-01")
    body = response.json()
    assert response.status_code == 200
    assert body["name"] == "Xã Quài Cang"
    assert body["parent"] == "099"
    codes = {child["code"] for child in body["children"]}
    assert {"03289-CH1", "03289-CH2", "03289-CH3", "03289-CQ1"} <= codes


def test_another_commune_and_the_district_above_are_not_found(api_outsider: ApiClient) -> None:
    assert api_outsider.get("/units/03289", date="2021-03-01").status_code == 404
    assert api_outsider.get("/units/099", date="2021-03-01").status_code == 404


def test_the_district_sees_its_three_pilot_communes(api_district: ApiClient) -> None:
    body = api_district.get("/units/099", date="2021-03-01").json()
    assert [c["name"] for c in body["children"]] == [
        "Thị trấn Tuần Giáo",
        "Xã Quài Cang",
        "Xã Quài Nưa",
    ]


def test_a_unit_that_has_ended_is_not_found_today(api_district: ApiClient) -> None:
    assert api_district.get("/units/099", date="2026-01-01").status_code == 404


def test_units_refuse_a_post(api_commune: ApiClient) -> None:
    assert api_commune.post("/units/03289", {}).status_code == 405


def test_the_openapi_document_lists_every_contract_path() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/token",
        "/api/v1/units/{code}",
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}",
        "/api/v1/assessments/{assessment_id}/scores",
        "/api/v1/assessments/{assessment_id}/transitions",
        "/api/v1/assessments/{assessment_id}/evidence",
    ]:
        assert path in paths, path

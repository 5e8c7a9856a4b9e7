"""GET /api/v1/tokens, DELETE /api/v1/tokens/{id} and DELETE /api/v1/token: own tokens."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hoctap.accounts.models import ApiToken, User
from hoctap.accounts.tokens import api_token_issue
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

SIGN_IN = "Hãy đăng nhập trước: gửi kèm mã truy cập (bearer token) hợp lệ."


def _newest(user: User) -> ApiToken:
    return ApiToken.objects.filter(user=user).latest("pk")


def test_the_list_shows_my_tokens_without_their_secrets(
    api_commune: ApiClient, commune_officer: User, outsider: User
) -> None:
    secret = api_token_issue(user=commune_officer, name="điện thoại")
    api_token_issue(user=outsider, name="của Quài Nưa")
    response = api_commune.get("/tokens")
    body = response.json()
    assert response.status_code == 200
    assert {t["name"] for t in body} == {"", "điện thoại"}
    assert set(body[0]) == {
        "id",
        "name",
        "created_at",
        "last_used_at",
        "revoked_at",
        "expires_at",
    }
    assert secret not in response.content.decode()
    assert _newest(commune_officer).digest not in response.content.decode()


def test_deleting_my_token_revokes_it(api_commune: ApiClient, commune_officer: User) -> None:
    secret = api_token_issue(user=commune_officer, name="cũ")
    old = _newest(commune_officer)
    assert api_commune.call("delete", f"/tokens/{old.pk}").status_code == 204
    listed = {t["id"]: t for t in api_commune.get("/tokens").json()}
    assert listed[old.pk]["revoked_at"] is not None
    headers = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/tokens", headers=headers).status_code == 401


def test_deleting_the_token_in_use_signs_the_caller_out(
    api_commune: ApiClient, commune_officer: User
) -> None:
    mine = _newest(commune_officer)
    assert api_commune.call("delete", f"/tokens/{mine.pk}").status_code == 204
    assert api_commune.get("/tokens").status_code == 401


def test_another_users_token_is_not_found(api_commune: ApiClient, outsider: User) -> None:
    secret = api_token_issue(user=outsider, name="của Quài Nưa")
    theirs = _newest(outsider)
    response = api_commune.client.delete(
        f"/api/v1/tokens/{theirs.pk}", headers={**api_commune.headers, "Accept-Language": "vi"}
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Không có mã truy cập này."
    headers = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/tokens", headers=headers).status_code == 200


def test_a_revoked_token_is_not_found_again(api_commune: ApiClient, commune_officer: User) -> None:
    api_token_issue(user=commune_officer, name="cũ")
    old = _newest(commune_officer)
    assert api_commune.call("delete", f"/tokens/{old.pk}").status_code == 204
    assert api_commune.call("delete", f"/tokens/{old.pk}").status_code == 404


def test_wrong_methods_are_refused(api_commune: ApiClient, commune_officer: User) -> None:
    mine = _newest(commune_officer)
    assert api_commune.post("/tokens", {}).status_code == 405
    assert api_commune.get(f"/tokens/{mine.pk}").status_code == 405


def test_anonymous_callers_are_refused(commune_officer: User) -> None:
    api_token_issue(user=commune_officer, name="x")
    mine = _newest(commune_officer)
    assert Client().get("/api/v1/tokens").status_code == 401
    assert Client().delete(f"/api/v1/tokens/{mine.pk}").status_code == 401
    assert mine.revoked_at is None


def _opens_the_api(token: str) -> int:
    response = Client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"})
    return int(response.status_code)


def test_an_expired_token_is_refused(commune_officer: User) -> None:
    secret = api_token_issue(
        user=commune_officer, name="hết hạn", expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = Client().get(
        "/api/v1/tokens", headers={"Authorization": f"Bearer {secret}", "Accept-Language": "vi"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == SIGN_IN
    assert _newest(commune_officer).last_used_at is None


def test_a_token_works_until_it_expires_and_one_without_an_end_works_on(
    commune_officer: User,
) -> None:
    ends = timezone.now() + timedelta(days=30)
    dated = api_token_issue(user=commune_officer, name="điện thoại", expires_at=ends)
    undated = api_token_issue(user=commune_officer, name="bảng tính")
    assert _opens_the_api(dated) == 200
    assert _opens_the_api(undated) == 200
    ApiToken.objects.filter(name="điện thoại").update(expires_at=timezone.now())
    assert _opens_the_api(dated) == 401
    assert _opens_the_api(undated) == 200


def test_the_list_shows_when_each_token_expires(
    api_commune: ApiClient, commune_officer: User
) -> None:
    ends = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    api_token_issue(user=commune_officer, name="điện thoại", expires_at=ends)
    listed = {t["name"]: t for t in api_commune.get("/tokens").json()}
    assert listed["điện thoại"]["expires_at"] is not None
    assert datetime.fromisoformat(listed["điện thoại"]["expires_at"]) == ends
    assert listed[""]["expires_at"] is None


def test_signing_out_revokes_the_token_sent_and_no_other(
    commune_officer: User, outsider: User
) -> None:
    phone = api_token_issue(user=commune_officer, name="điện thoại")
    laptop = api_token_issue(user=commune_officer, name="máy tính")
    theirs = api_token_issue(user=outsider, name="của Quài Nưa")
    response = Client().delete("/api/v1/token", headers={"Authorization": f"Bearer {phone}"})
    assert response.status_code == 204
    assert response.content == b""
    assert _opens_the_api(phone) == 401
    assert _opens_the_api(laptop) == 200
    assert _opens_the_api(theirs) == 200
    revoked = ApiToken.objects.get(name="điện thoại")
    assert revoked.revoked_at is not None
    again = Client().delete("/api/v1/token", headers={"Authorization": f"Bearer {phone}"})
    assert again.status_code == 401


def test_signing_out_refuses_other_methods(api_commune: ApiClient) -> None:
    assert api_commune.put("/token", {}).status_code == 405
    assert api_commune.get("/token").status_code == 405
    assert api_commune.get("/tokens").status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer hoctap_not-a-token", "Bearer ", "Basic cXVhaWNhbmc6aG9jdGFwLWRlbW8="],
)
def test_signing_out_without_a_valid_token_is_refused(
    commune_officer: User, authorization: str | None
) -> None:
    secret = api_token_issue(user=commune_officer, name="x")
    headers = {"Authorization": authorization} if authorization else {}
    response = Client().delete("/api/v1/token", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == SIGN_IN
    assert _opens_the_api(secret) == 200


def test_signing_out_with_an_expired_token_is_refused(commune_officer: User) -> None:
    secret = api_token_issue(
        user=commune_officer, name="cũ", expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = Client().delete("/api/v1/token", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert ApiToken.objects.get(name="cũ").revoked_at is None

"""GET /api/v1/tokens and DELETE /api/v1/tokens/{id}: the caller's own tokens."""

import pytest
from django.test import Client

from hoctap.accounts.models import ApiToken, User
from hoctap.accounts.tokens import api_token_issue
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db


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
    assert set(body[0]) == {"id", "name", "created_at", "last_used_at", "revoked_at"}
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

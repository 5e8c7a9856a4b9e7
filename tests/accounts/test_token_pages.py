"""The page /accounts/tokens/: a user's own API tokens, created with a name and revoked."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from hoctap.accounts.models import ApiToken, User
from hoctap.accounts.tokens import api_token_issue
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

UNIT = "/api/v1/tokens"


def _opens_the_api(token: str) -> bool:
    response = Client().get(UNIT, headers={"Authorization": f"Bearer {token}"})
    return bool(response.status_code == 200)


def _id(user: User, name: str) -> int:
    return ApiToken.objects.get(user=user, name=name).pk


def test_the_page_lists_my_tokens_and_not_anyone_elses(
    commune_officer: User, outsider: User
) -> None:
    api_token_issue(user=commune_officer, name="điện thoại chi hội 1")
    api_token_issue(user=outsider, name="máy của Quài Nưa")
    response = client_for(commune_officer).get("/accounts/tokens/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "điện thoại chi hội 1" in body
    assert "máy của Quài Nưa" not in body
    assert f"/accounts/tokens/{_id(commune_officer, 'điện thoại chi hội 1')}/revoke" in body


def test_a_new_token_is_shown_once_and_never_cached(commune_officer: User) -> None:
    client = client_for(commune_officer)
    response = client.post("/accounts/tokens/", {"name": "bảng tính báo cáo"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = body.split('<code id="new-token">')[1].split("</code>")[0]
    assert token.startswith("hoctap_")
    assert _opens_the_api(token)
    assert ApiToken.objects.filter(user=commune_officer, name="bảng tính báo cáo").exists()
    assert token not in client.get("/accounts/tokens/").content.decode()


def test_a_token_needs_a_name(commune_officer: User) -> None:
    response = client_for(commune_officer).post("/accounts/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=commune_officer).exists()


def test_revoking_my_token_stops_it_opening_the_api(commune_officer: User) -> None:
    token = api_token_issue(user=commune_officer, name="cũ")
    response = client_for(commune_officer).post(
        f"/accounts/tokens/{_id(commune_officer, 'cũ')}/revoke", follow=True
    )
    assert response.redirect_chain == [("/accounts/tokens/", 302)]
    assert "Đã thu hồi mã truy cập" in response.content.decode()
    assert not _opens_the_api(token)


def test_another_users_token_cannot_be_revoked(commune_officer: User, outsider: User) -> None:
    token = api_token_issue(user=outsider, name="của Quài Nưa")
    response = client_for(commune_officer).post(
        f"/accounts/tokens/{_id(outsider, 'của Quài Nưa')}/revoke"
    )
    assert response.status_code == 404
    assert _opens_the_api(token)


def test_a_revoked_token_cannot_be_revoked_again(commune_officer: User) -> None:
    api_token_issue(user=commune_officer, name="cũ")
    client = client_for(commune_officer)
    url = f"/accounts/tokens/{_id(commune_officer, 'cũ')}/revoke"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404


def test_wrong_methods_are_refused(commune_officer: User) -> None:
    api_token_issue(user=commune_officer, name="x")
    client = client_for(commune_officer)
    assert client.get(f"/accounts/tokens/{_id(commune_officer, 'x')}/revoke").status_code == 405
    assert client.put("/accounts/tokens/").status_code == 405


def test_an_anonymous_visitor_is_sent_to_log_in(commune_officer: User) -> None:
    token = api_token_issue(user=commune_officer, name="x")
    listing = Client().get("/accounts/tokens/")
    revoke = Client().post(f"/accounts/tokens/{_id(commune_officer, 'x')}/revoke")
    assert listing["Location"] == "/accounts/login/?next=/accounts/tokens/"
    assert revoke["Location"].startswith("/accounts/login/")
    assert _opens_the_api(token)


def test_the_page_shows_when_tokens_expire_and_offers_no_revoking_an_expired_one(
    commune_officer: User,
) -> None:
    ends = datetime(2099, 3, 12, 10, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    api_token_issue(user=commune_officer, name="điện thoại mùa thu", expires_at=ends)
    api_token_issue(
        user=commune_officer, name="máy cũ", expires_at=timezone.now() - timedelta(days=1)
    )
    api_token_issue(user=commune_officer, name="bảng tính")
    body = client_for(commune_officer).get("/accounts/tokens/").content.decode()
    rows = {row.split("<small>")[0].strip(): row for row in body.split("<li>")[1:]}
    assert "hết hạn 12/03/2099 10:30" in rows["điện thoại mùa thu"]
    assert "đã hết hạn" not in rows["điện thoại mùa thu"]
    assert "đã hết hạn" in rows["máy cũ"]
    assert "hết hạn" not in rows["bảng tính"]
    assert f"/accounts/tokens/{_id(commune_officer, 'máy cũ')}/revoke" not in body
    assert f"/accounts/tokens/{_id(commune_officer, 'điện thoại mùa thu')}/revoke" in body

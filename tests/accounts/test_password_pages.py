"""/accounts/password/ (your own) and /accounts/users/ (reset an officer below you)."""

from typing import Any

import pytest
from django.test import Client

from hoctap.accounts.models import Role, RoleAssignment, User
from hoctap.accounts.tokens import api_token_issue
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.organisation.models import Unit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

OLD = "hoctap-demo"
NEW = "Mật-khẩu-mới-của-tôi-2026"
CHANGE = {"old_password": OLD, "new_password1": NEW, "new_password2": NEW}


def _opens_the_api(token: str) -> bool:
    response = Client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"})
    return bool(response.status_code == 200)


def _signed_in(client: Client) -> bool:
    return bool(client.get("/").status_code == 200)


def _logs_in(username: str, password: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return bool(response.status_code == 302)


def _reset(officer: User, target: User) -> Any:
    return client_for(officer).post(f"/accounts/users/{target.pk}/password")


def _shown_password(response: Any) -> str:
    body: str = response.content.decode()
    return body.split('<code class="code" id="new-password">')[1].split("</code>")[0]


def _entries() -> Any:
    return AccessLogEntry.objects.filter(action=AccessAction.PASSWORD)


# Changing one's own password


def test_the_page_is_in_vietnamese_first(commune_officer: User) -> None:
    body = client_for(commune_officer).get("/accounts/password/").content.decode()
    assert "<h1>Đổi mật khẩu</h1>" in body


def test_changing_my_password_ends_my_tokens(commune_officer: User) -> None:
    token = api_token_issue(user=commune_officer, name="điện thoại")
    response = client_for(commune_officer).post("/accounts/password/", CHANGE)
    assert response.status_code == 302
    commune_officer.refresh_from_db()
    assert commune_officer.check_password(NEW)
    assert not _opens_the_api(token)


def test_changing_my_password_keeps_this_session_and_ends_the_others(
    commune_officer: User,
) -> None:
    here, elsewhere = client_for(commune_officer), client_for(commune_officer)
    response = here.post("/accounts/password/", CHANGE, follow=True)
    assert "Mật khẩu của bạn đã được đổi" in response.content.decode()
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


def test_a_wrong_old_password_changes_nothing(commune_officer: User) -> None:
    token = api_token_issue(user=commune_officer)
    response = client_for(commune_officer).post(
        "/accounts/password/", {**CHANGE, "old_password": "không-phải"}
    )
    assert response.status_code == 400
    commune_officer.refresh_from_db()
    assert commune_officer.check_password(OLD)
    assert _opens_the_api(token)
    assert not _entries().exists()


def test_my_change_is_logged_without_the_password(commune_officer: User) -> None:
    api_token_issue(user=commune_officer)
    client_for(commune_officer).post("/accounts/password/", CHANGE)
    entry = _entries().get()
    assert (entry.user, entry.object_id) == (commune_officer, str(commune_officer.pk))
    assert entry.detail == {"how": "own", "tokens_revoked": 1}
    assert NEW not in str(entry.detail)


# Resetting the password of an officer below


def test_a_district_officer_resets_a_commune_officer_of_its_district(
    district_officer: User, commune_officer: User
) -> None:
    token = api_token_issue(user=commune_officer)
    their_session = client_for(commune_officer)
    response = _reset(district_officer, commune_officer)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = _shown_password(response)
    assert _logs_in("quaicang", password)
    assert not _logs_in("quaicang", OLD)
    assert not _opens_the_api(token)
    assert not _signed_in(their_session)
    entry = _entries().get()
    assert (entry.user, entry.object_id) == (district_officer, str(commune_officer.pk))
    assert entry.detail == {"how": "reset", "tokens_revoked": 1}
    assert password not in str(entry.detail)


def test_a_reset_unlocks_an_officer_locked_out_by_wrong_passwords(
    commune_officer: User, branch_officer: User, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        _logs_in(branch_officer.username, "đoán-sai")
    assert not _logs_in(branch_officer.username, OLD)
    password = _shown_password(_reset(commune_officer, branch_officer))
    assert _logs_in(branch_officer.username, password)


def test_the_officer_who_resets_stays_signed_in(
    district_officer: User, commune_officer: User
) -> None:
    client = client_for(district_officer)
    assert client.post(f"/accounts/users/{commune_officer.pk}/password").status_code == 200
    assert _signed_in(client)


def test_an_officer_of_another_commune_is_told_nothing_exists(
    outsider: User, branch_officer: User, commune_officer: User
) -> None:
    assert _reset(outsider, branch_officer).status_code == 404
    branch_officer.refresh_from_db()
    assert branch_officer.check_password(OLD)
    assert not _entries().exists()
    # The same address works for their own commune's officer: the 404 is the scope's.
    assert _reset(commune_officer, branch_officer).status_code == 200


def test_an_officer_cannot_reset_one_above_or_beside(
    commune_officer: User, district_officer: User, outsider: User, branch_officer: User
) -> None:
    assert _reset(commune_officer, district_officer).status_code == 404
    assert _reset(commune_officer, outsider).status_code == 404
    assert _reset(commune_officer, commune_officer).status_code == 404
    assert _reset(commune_officer, branch_officer).status_code == 200


def test_a_branch_officer_resets_no_one(branch_officer: User, commune_officer: User) -> None:
    assert _reset(branch_officer, commune_officer).status_code == 404
    body = client_for(branch_officer).get("/accounts/users/").content.decode()
    assert "Không có cán bộ nào" in body


def test_one_role_outside_the_subtree_puts_the_officer_out_of_reach(
    commune_officer: User, branch_officer: User
) -> None:
    reset_link = f"/accounts/users/{branch_officer.pk}/password"
    assert reset_link in client_for(commune_officer).get("/accounts/users/").content.decode()
    role = RoleAssignment.objects.get(user=branch_officer)
    RoleAssignment.objects.create(
        user=branch_officer,
        role=Role.BRANCH_OFFICER,
        unit=Unit.objects.get(code="03274", kind="commune"),
        valid_from=role.valid_from,
    )
    assert _reset(commune_officer, branch_officer).status_code == 404
    assert reset_link not in client_for(commune_officer).get("/accounts/users/").content.decode()


def test_a_get_on_the_reset_is_refused(district_officer: User, commune_officer: User) -> None:
    response = client_for(district_officer).get(f"/accounts/users/{commune_officer.pk}/password")
    assert response.status_code == 405


def test_a_reset_without_the_csrf_token_is_refused(
    district_officer: User, commune_officer: User
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(district_officer)
    assert client.post(f"/accounts/users/{commune_officer.pk}/password").status_code == 403
    commune_officer.refresh_from_db()
    assert commune_officer.check_password(OLD)


def test_the_list_shows_the_officers_below_and_no_one_else(
    district_officer: User, django_assert_max_num_queries: Any
) -> None:
    client = client_for(district_officer)
    with django_assert_max_num_queries(12):
        body = client.get("/accounts/users/").content.decode()
    for below in ("quaicang", "quainua", "thitran", "chihoi.quaicang", "thpt.tuangiao"):
        assert f"/accounts/users/{User.objects.get(username=below).pk}/password" in body
    for above in ("dienbien", "admin", "tuangiao"):
        assert f"/accounts/users/{User.objects.get(username=above).pk}/password" not in body
    assert "Xã Quài Cang" in body


def test_the_home_page_links_to_the_password_pages(commune_officer: User) -> None:
    body = client_for(commune_officer).get("/").content.decode()
    assert 'href="/accounts/password/"' in body
    assert 'href="/accounts/users/"' in body

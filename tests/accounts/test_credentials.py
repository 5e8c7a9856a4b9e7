"""A new password ends the user's API tokens and sessions, whichever path set it (ADR 0031)."""

import getpass
import io
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from hoctap.accounts.models import ApiToken, RoleAssignment, User
from hoctap.accounts.tokens import api_token_issue
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "một-mật-khẩu-mới-2026"


def _opens_the_api(token: str) -> bool:
    response = Client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"})
    return bool(response.status_code == 200)


def _signed_in(client: Client) -> bool:
    return bool(client.get("/").status_code == 200)


def test_a_token_is_refused_after_set_password_and_save(commune_officer: User) -> None:
    token = api_token_issue(user=commune_officer, name="điện thoại")
    assert _opens_the_api(token)
    commune_officer.set_password(NEW_PASSWORD)
    commune_officer.save()
    assert not _opens_the_api(token)
    assert not ApiToken.objects.filter(user=commune_officer, revoked_at__isnull=True).exists()


def test_set_password_and_save_ends_the_users_sessions_only(
    commune_officer: User, outsider: User
) -> None:
    mine, theirs = client_for(commune_officer), client_for(outsider)
    commune_officer.set_password(NEW_PASSWORD)
    commune_officer.save()
    assert Session.objects.filter(session_key=theirs.session.session_key).exists()
    assert not Session.objects.filter(session_key=mine.session.session_key).exists()
    assert not _signed_in(mine)
    assert _signed_in(theirs)


def test_other_users_tokens_keep_working(commune_officer: User, outsider: User) -> None:
    theirs = api_token_issue(user=outsider, name="Quài Nưa")
    commune_officer.set_password(NEW_PASSWORD)
    commune_officer.save()
    assert _opens_the_api(theirs)


def test_saving_without_a_new_password_keeps_the_tokens(commune_officer: User) -> None:
    token = api_token_issue(user=commune_officer)
    commune_officer.first_name = "Cán bộ mới"
    commune_officer.save()
    assert _opens_the_api(token)


def test_a_hash_upgrade_at_sign_in_is_not_a_change(commune_officer: User) -> None:
    # A hash made by the second hasher is upgraded to Argon2 when the password is checked.
    User.objects.filter(pk=commune_officer.pk).update(
        password=make_password("hoctap-demo", hasher="pbkdf2_sha256")
    )
    commune_officer.refresh_from_db()
    token = api_token_issue(user=commune_officer)
    assert commune_officer.check_password("hoctap-demo")
    commune_officer.refresh_from_db()
    assert commune_officer.password.startswith("argon2")
    assert _opens_the_api(token)


def test_switching_password_sign_in_off_ends_the_tokens(commune_officer: User) -> None:
    token = api_token_issue(user=commune_officer)
    commune_officer.set_unusable_password()
    commune_officer.save()
    assert not _opens_the_api(token)


def test_a_change_in_the_admin_ends_the_tokens_and_sessions(commune_officer: User) -> None:
    token = api_token_issue(user=commune_officer)
    theirs = client_for(commune_officer)
    admin = client_for(User.objects.get(username="admin"))
    response = admin.post(
        f"/admin/accounts/user/{commune_officer.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    commune_officer.refresh_from_db()
    assert commune_officer.check_password(NEW_PASSWORD)
    assert not _opens_the_api(token)
    assert not _signed_in(theirs)


def test_the_changepassword_command_ends_the_tokens(
    commune_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = api_token_issue(user=commune_officer)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", "quaicang", stdout=io.StringIO())
    commune_officer.refresh_from_db()
    assert commune_officer.check_password(NEW_PASSWORD)
    assert not _opens_the_api(token)


def test_a_token_of_a_user_whose_roles_all_ended_is_refused(branch_officer: User) -> None:
    token = api_token_issue(user=branch_officer, name="máy tính bảng")
    spare = api_token_issue(user=branch_officer, name="dự phòng")
    assert _opens_the_api(token)
    yesterday = timezone.localdate() - timedelta(days=1)
    RoleAssignment.objects.filter(user=branch_officer).update(valid_to=yesterday)
    assert not _opens_the_api(token)
    # All of them end, so none comes back with a later role.
    assert not ApiToken.objects.filter(user=branch_officer, revoked_at__isnull=True).exists()
    RoleAssignment.objects.filter(user=branch_officer).update(valid_to=None)
    assert not _opens_the_api(spare)


def test_a_token_of_a_user_whose_role_row_was_removed_is_refused(branch_officer: User) -> None:
    token = api_token_issue(user=branch_officer)
    RoleAssignment.objects.filter(user=branch_officer).delete()
    assert not _opens_the_api(token)


def test_a_token_of_a_user_with_a_role_left_keeps_working(commune_officer: User) -> None:
    token = api_token_issue(user=commune_officer)
    role = RoleAssignment.objects.get(user=commune_officer)
    RoleAssignment.objects.create(
        user=commune_officer,
        role=role.role,
        unit=role.unit,
        valid_from=role.valid_from,
        valid_to=timezone.localdate() - timedelta(days=1),
    )
    assert _opens_the_api(token)

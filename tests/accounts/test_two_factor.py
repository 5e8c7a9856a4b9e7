"""Two-step sign-in: enrolling an authenticator app, the code after the password, required roles."""

from base64 import b32encode
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hoctap.accounts.checks import two_factor_roles_check
from hoctap.accounts.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _code(device: Any, drift: int = 0) -> str:
    """Return the code an authenticator app shows now (or `drift` steps later)."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + drift)
    return str(value).zfill(device.digits)


def _wrong(device: Any) -> str:
    return str((int(_code(device)) + 1) % 1_000_000).zfill(6)


@pytest.fixture
def device(commune_officer: User) -> Any:
    return TOTPDevice.objects.create(user=commune_officer, name="phone", confirmed=True)


def _log_in(username: str = "quaicang") -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": "hoctap-demo"})
    assert response.status_code == 302
    return client


def test_the_enrolment_page_shows_a_qr_code_and_the_secret(commune_officer: User) -> None:
    response = client_for(commune_officer).get("/accounts/2fa/")
    body = response.content.decode()
    pending = TOTPDevice.objects.get(user=commune_officer)
    assert response.status_code == 200
    assert "<svg" in body
    assert "otpauth://totp/hoctap%3Aquaicang?secret=" in body
    assert b32encode(pending.bin_key).decode()[:4] in body
    assert not pending.confirmed
    assert "no-store" in response["Cache-Control"]


def test_a_right_code_switches_two_step_sign_in_on(commune_officer: User) -> None:
    client = client_for(commune_officer)
    client.get("/accounts/2fa/")
    pending = TOTPDevice.objects.get(user=commune_officer)
    response = client.post("/accounts/2fa/", {"code": _code(pending)}, follow=True)
    pending.refresh_from_db()
    assert pending.confirmed
    assert response.redirect_chain[-1][0] == "/"
    assert "Đã bật đăng nhập hai bước" in response.content.decode()
    # The session that enrolled is verified: pages open without asking again.
    assert client.get("/people/").status_code == 200


def test_a_wrong_code_leaves_two_step_sign_in_off(commune_officer: User) -> None:
    client = client_for(commune_officer)
    client.get("/accounts/2fa/")
    pending = TOTPDevice.objects.get(user=commune_officer)
    response = client.post("/accounts/2fa/", {"code": _wrong(pending)})
    pending.refresh_from_db()
    assert response.status_code == 200
    assert "Mã không đúng" in response.content.decode()
    assert not pending.confirmed
    # Without a confirmed device the next sign-in asks for no code.
    assert _log_in().get("/").status_code == 200


def test_with_a_device_the_password_alone_opens_no_page(device: Any) -> None:
    client = _log_in()
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == "/accounts/2fa/verify/?next=/"
    assert client.get("/people/")["Location"] == "/accounts/2fa/verify/?next=/people/"
    assert client.get("/admin/").status_code == 302
    assert client.get("/accounts/2fa/verify/?next=/people/").status_code == 200


def test_the_right_code_after_the_password_opens_the_pages(device: Any) -> None:
    client = _log_in()
    response = client.post("/accounts/2fa/verify/", {"code": _code(device), "next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    assert client.get("/").status_code == 200


def test_a_wrong_code_after_the_password_keeps_the_pages_shut(device: Any) -> None:
    client = _log_in()
    response = client.post("/accounts/2fa/verify/", {"code": _wrong(device)})
    assert response.status_code == 200
    assert "Mã không đúng" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_code_cannot_be_used_twice(device: Any) -> None:
    code = _code(device)
    first = _log_in()
    assert first.post("/accounts/2fa/verify/", {"code": code}).status_code == 302
    second = _log_in()
    assert second.post("/accounts/2fa/verify/", {"code": code}).status_code == 200
    assert second.get("/").status_code == 302


def test_a_required_role_without_a_device_is_sent_to_enrolment(
    commune_officer: User, district_officer: User, settings: Any
) -> None:
    settings.HOCTAP_2FA_REQUIRED_ROLES = ["commune_officer", "agency_head"]
    client = client_for(commune_officer)
    assert client.get("/")["Location"] == "/accounts/2fa/?next=/"
    assert client.get("/reports/summary")["Location"].startswith("/accounts/2fa/?next=")
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    # A role that is not listed goes on as before.
    assert client_for(district_officer).get("/").status_code == 200


def test_a_required_role_opens_the_pages_once_enrolled(
    commune_officer: User, settings: Any
) -> None:
    client = client_for(commune_officer)
    assert client.get("/").status_code == 200
    # An administrator lists the role while the session is open: it is caught too.
    settings.HOCTAP_2FA_REQUIRED_ROLES = ["commune_officer"]
    assert client.get("/").status_code == 302
    client.get("/accounts/2fa/")
    pending = TOTPDevice.objects.get(user=commune_officer)
    assert client.post("/accounts/2fa/", {"code": _code(pending)}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_required_role_still_uses_the_api_with_a_token(
    commune_officer: User, settings: Any
) -> None:
    settings.HOCTAP_2FA_REQUIRED_ROLES = ["commune_officer"]
    token = Client().post(
        "/api/v1/token",
        {"username": "quaicang", "password": "hoctap-demo"},
        content_type="application/json",
    )
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    assert Client().get("/api/v1/units/03289?date=2021-03-01", headers=headers).status_code == 200


def _token(otp: str | None = None, language: str = "en") -> Any:
    body = {"username": "quaicang", "password": "hoctap-demo"}
    if otp is not None:
        body["otp"] = otp
    return Client().post(
        "/api/v1/token",
        body,
        content_type="application/json",
        headers={"Accept-Language": language},
    )


def test_the_token_endpoint_asks_for_the_code_when_a_device_exists(device: Any) -> None:
    missing = _token()
    assert missing.status_code == 401
    assert '"otp"' in missing.json()["detail"]
    assert "token" not in missing.json()


def test_the_token_endpoint_refuses_a_wrong_code(device: Any) -> None:
    response = _token(_wrong(device), language="vi")
    assert response.status_code == 401
    assert response.json()["detail"] == "Mã sai hoặc đã hết hạn."


def test_the_token_endpoint_gives_a_token_for_the_right_code(device: Any) -> None:
    response = _token(_code(device))
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    assert Client().get("/api/v1/units/03289?date=2021-03-01", headers=headers).status_code == 200


def test_an_unknown_role_in_the_setting_fails_the_system_check(settings: Any) -> None:
    settings.HOCTAP_2FA_REQUIRED_ROLES = ["commune_officer", "chairman"]
    errors = two_factor_roles_check(None)
    assert [e.id for e in errors] == ["hoctap.accounts.E001"]
    assert "chairman" in errors[0].msg

"""Ten wrong passwords lock an account, on the login page and the API alike (django-axes)."""

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from hoctap.accounts.models import User

pytestmark = pytest.mark.django_db

RIGHT = "hoctap-demo"
WRONG = "Sai-Mat-Khau-42"


def _page(username: str, password: str, address: str = "127.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def _api(username: str, password: str, language: str = "vi", address: str = "127.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/token",
        {"username": username, "password": password},
        content_type="application/json",
        headers={"Accept-Language": language},
    )


def _fail(times: int, username: str = "quaicang") -> None:
    for _ in range(times):
        _page(username, WRONG)


@pytest.fixture
def limit_of_three(settings: Any) -> None:
    """Lock after three failures: each wrong password costs an Argon2 check."""
    settings.AXES_FAILURE_LIMIT = 3


def test_ten_wrong_passwords_lock_the_login_page_even_for_the_right_one(
    commune_officer: User,
) -> None:
    _fail(10)
    response = _page("quaicang", RIGHT)
    body = response.content.decode()
    assert response.status_code == 429
    assert "Đăng nhập tạm khóa" in body
    assert "15 phút" in body
    assert response["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in response.client.session


def test_fewer_failures_do_not_lock_and_a_success_starts_the_count_again(
    commune_officer: User, limit_of_three: None
) -> None:
    _fail(2)
    assert _page("quaicang", RIGHT).status_code == 302
    _fail(2)
    assert _page("quaicang", RIGHT).status_code == 302


def test_the_api_refuses_a_locked_account_with_429_in_the_callers_language(
    commune_officer: User,
) -> None:
    for _ in range(10):
        _api("quaicang", WRONG)
    vietnamese = _api("quaicang", RIGHT, "vi")
    english = _api("quaicang", RIGHT, "en")
    assert vietnamese.status_code == english.status_code == 429
    assert vietnamese["Content-Type"].startswith("application/json")
    assert "Đăng nhập sai quá nhiều lần" in vietnamese.json()["detail"]
    assert "Too many wrong passwords" in english.json()["detail"]
    assert "token" not in english.json()
    assert english["Retry-After"] == str(15 * 60)


def test_failures_add_up_across_addresses_and_between_page_and_api(
    commune_officer: User, limit_of_three: None
) -> None:
    for i in range(2):
        _page("quaicang", WRONG, address=f"10.0.0.{i}")
        _api("quaicang", WRONG, address=f"10.1.0.{i}")
    assert _page("quaicang", RIGHT, address="10.9.9.9").status_code == 429
    assert _api("quaicang", RIGHT, address="10.9.9.8").status_code == 429


def test_another_user_is_not_affected(
    commune_officer: User, outsider: User, limit_of_three: None
) -> None:
    _fail(3)
    assert _page("quainua", RIGHT).status_code == 302
    assert _api("quainua", RIGHT).status_code == 200


def test_after_the_cool_off_the_right_password_works_again(
    commune_officer: User, limit_of_three: None
) -> None:
    _fail(3)
    assert _page("quaicang", RIGHT).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _page("quaicang", RIGHT).status_code == 302
    assert not AccessAttempt.objects.filter(username="quaicang").exists()


def test_the_api_also_starts_the_count_again_after_a_success(
    commune_officer: User, limit_of_three: None
) -> None:
    _fail(2)
    assert _api("quaicang", RIGHT).status_code == 200
    assert not AccessAttempt.objects.filter(username="quaicang").exists()


def test_failures_are_logged_without_the_password(
    commune_officer: User, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING"):
        _page("quaicang", WRONG)
        _api("quaicang", WRONG)
    assert "quaicang" in caplog.text
    assert WRONG not in caplog.text
    attempt = AccessAttempt.objects.get(username="quaicang")
    assert attempt.failures_since_start == 2
    assert WRONG not in attempt.post_data + attempt.get_data


def test_signing_in_without_a_lock_is_unchanged_for_the_test_client(commune_officer: User) -> None:
    client = Client()
    client.force_login(commune_officer)
    assert client.get("/").status_code == 200

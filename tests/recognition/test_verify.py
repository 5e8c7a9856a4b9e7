"""The public page behind a certificate's QR code: genuine, revoked, unknown, too many tries."""

import re
import secrets

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment
from hoctap.recognition.models import Certificate
from hoctap.recognition.services import certificate_issue, certificate_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(commune_officer: User, recognised: Assessment) -> Certificate:
    return certificate_issue(user=commune_officer, assessment_id=recognised.pk)


def _get(client: Client, token: str) -> tuple[int, str, dict[str, str]]:
    response = client.get(f"/verify/{token}", HTTP_ACCEPT_LANGUAGE="vi")
    # The language switch carries a fresh CSRF token and the page's own address.
    body = re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())
    body = re.sub(r'name="(next|csrfmiddlewaretoken)" value="[^"]*"', "", body)
    return response.status_code, body, dict(response.headers)


def test_a_genuine_certificate_shows_initials_title_issuer_serial_and_decision(
    certificate: Certificate, recognised: Assessment
) -> None:
    status, body, headers = _get(Client(), certificate.token)
    assert status == 200
    assert "Giấy chứng nhận này là thật và đang có hiệu lực." in body
    assert recognised.citizen is not None
    name = recognised.citizen.full_name
    assert " ".join(f"{w[0]}." for w in name.split()) in body
    assert name not in body
    assert str(recognised.citizen.birth_year) not in body
    for shown in ["Công dân học tập", "2020-2021", "Hội Khuyến học xã Quài Cang"]:
        assert shown in body
    assert certificate.serial in body
    assert "12/QĐ-HKH" in body
    assert "28/05/2021" in body
    assert headers["Cache-Control"] == "no-store"
    assert "noindex" in headers["X-Robots-Tag"]


def test_a_revoked_certificate_says_so_with_the_date_but_not_the_reason(
    certificate: Certificate, commune_officer: User
) -> None:
    certificate_revoke(
        user=commune_officer, certificate_id=certificate.pk, reason="Bà Hoa chuyển đi nơi khác"
    )
    status, body, _headers = _get(Client(), certificate.token)
    assert status == 200
    assert "đã bị thu hồi ngày" in body
    assert "là thật và đang có hiệu lực" not in body
    assert "chuyển đi" not in body


def test_a_reopened_decision_makes_the_certificate_invalid(
    certificate: Certificate, recognised: Assessment
) -> None:
    Assessment.objects.filter(pk=recognised.pk).update(state="branch_reviewed", passed=None)
    _status, body, _headers = _get(Client(), certificate.token)
    assert "không còn hiệu lực" in body
    assert "là thật và đang có hiệu lực" not in body


@pytest.mark.parametrize("token", ["random", "x" * 200, "%27%20OR%201=1", "AAAA-bbbb_cccc"])
def test_unknown_and_malformed_tokens_get_the_same_404_that_reveals_nothing(
    token: str, certificate: Certificate
) -> None:
    random_status, random_body, headers = _get(Client(), secrets.token_urlsafe(20))
    status, body, _headers = _get(Client(), token)
    assert status == random_status == 404
    assert body == random_body
    assert certificate.serial not in body
    assert "Quài Cang" not in body
    assert headers["Cache-Control"] == "no-store"


def test_too_many_unknown_tokens_from_one_address_get_a_429_in_vietnamese(
    certificate: Certificate, settings: Settings
) -> None:
    settings.HOCTAP_VERIFY_ATTEMPTS = 3
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert [_get(client, f"wrong{i}")[0] for i in range(3)] == [404, 404, 404]
    status, body, headers = _get(client, certificate.token)
    assert status == 429
    assert "Vui lòng chờ 15 phút" in body
    assert certificate.serial not in body
    assert headers["Cache-Control"] == "no-store"
    # Someone else, at another address, still gets the answer.
    assert _get(Client(REMOTE_ADDR="203.0.113.10"), certificate.token)[0] == 200


def test_genuine_checks_do_not_count_against_the_limit(
    certificate: Certificate, settings: Settings
) -> None:
    settings.HOCTAP_VERIFY_ATTEMPTS = 2
    client = Client(REMOTE_ADDR="203.0.113.11")
    assert [_get(client, certificate.token)[0] for _i in range(5)] == [200] * 5


def test_the_page_refuses_anything_but_reading(certificate: Certificate) -> None:
    assert Client().post(f"/verify/{certificate.token}").status_code == 405

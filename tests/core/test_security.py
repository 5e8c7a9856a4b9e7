"""Headers every answer carries, pages without inline script, and the deployment check."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client

from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_issue
from hoctap.assessments.models import Assessment
from tests.conftest import client_for

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def _policy(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_every_answer_carries_the_security_headers(db: None) -> None:
    response = Client().get("/accounts/login/")
    policy = _policy(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("unsafe" in v for values in policy.values() for v in values)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_session_cookie_is_out_of_reach_of_scripts(db: None) -> None:
    response = Client().get("/accounts/login/")
    assert response.cookies["csrftoken"]["httponly"]


@pytest.mark.django_db
def test_the_pages_hold_no_inline_script_handler_or_style(commune_officer: User) -> None:
    client = client_for(commune_officer)
    a = Assessment.objects.filter(unit__code__startswith="03289", period__code="2021-2022")
    pages = [
        "/",
        "/assessments/?period=2021-2022",
        f"/assessments/{a.first().pk}/",  # type: ignore[union-attr]
        "/assessments/new?period=2021-2022",
        "/people/",
        "/people/households/",
        "/units/?on=01/06/2021",
        "/periods/2021-2022/",
        "/reports/summary?period=2020-2021&unit=03289",
        "/imports/",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert not _INLINE_SCRIPT.search(body), url
        assert not _EVENT_HANDLER.search(body), url
        assert not _STYLE_ATTRIBUTE.search(body), url
    assert not _INLINE_SCRIPT.search(Client().get("/self/").content.decode())


def _deploy_check(**env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "DJANGO_SETTINGS_MODULE": "hoctap.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "hoctap.example.vn",
    }
    # The browser tests allow async-unsafe ORM calls for themselves; a deployment never does.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "-m", "hoctap", "check", "--deploy", "--fail-level", "WARNING"],
        env={**inherited, **base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deployment_check_passes_for_an_https_deployment() -> None:
    result = _deploy_check(HOCTAP_HTTPS="true")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_fails_for_plain_http() -> None:
    result = _deploy_check(HOCTAP_HTTPS="false")
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/people/?q=a%00b", "page"),
        ("/api/v1/reports/summary?period=%00&unit=03289", "api"),
    ],
)
def test_a_nul_character_is_refused_before_any_view(
    url: str, kind: str, commune_officer: User
) -> None:
    headers = {"Authorization": f"Bearer {api_token_issue(user=commune_officer)}"}
    response = client_for(commune_officer).get(url, headers=headers)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    if kind == "api":
        assert response.json()["detail"]


@pytest.mark.django_db
def test_a_nul_inside_a_json_string_is_refused_on_every_database(
    commune_officer: User,
) -> None:
    headers = {"Authorization": f"Bearer {api_token_issue(user=commune_officer)}"}
    body = (
        '{"id": "6f0f3e1e-8c1f-4c55-9a35-0c4f3c2a1b10", "period": "2021-2022", '
        '"unit": "03289-CH1", "group": "G1", '
        '"citizen": {"full_name": "L\\u0000o", "birth_year": 1990, "sex": "male"}, '
        '"consent": {"given": true, "how": "paper"}}'
    )
    response = Client().post(
        "/api/v1/assessments", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert not Assessment.objects.filter(pk="6f0f3e1e-8c1f-4c55-9a35-0c4f3c2a1b10").exists()
    # A backslash typed before "u0000" is text, not a NUL: that request goes through.
    text = body.replace("L\\u0000o", "L\\\\u0000o")
    assert text != body
    assert Client().post(
        "/api/v1/assessments", text, content_type="application/json", headers=headers
    ).status_code in (200, 201)

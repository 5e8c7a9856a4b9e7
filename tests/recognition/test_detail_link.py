"""The assessment page shows its certificate: serial and links, an issue button, revocations."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment
from hoctap.recognition.models import Certificate
from hoctap.recognition.services import certificate_issue, certificate_revoke
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _page(user: User, assessment: Assessment) -> str:
    response = client_for(user).get(reverse("assessments:detail", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _issue_url(assessment: Assessment) -> str:
    return reverse("recognition:issue", args=[assessment.pk])


@pytest.mark.parametrize("who", ["commune_officer", "district_officer"])
def test_an_officer_in_scope_sees_the_serial_with_its_pdf_and_public_check(
    who: str, commune_officer: User, recognised: Assessment, request: pytest.FixtureRequest
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    body = _page(request.getfixturevalue(who), recognised)
    assert f"Giấy chứng nhận {c.serial}" in body
    assert f'href="{reverse("recognition:certificate_pdf", args=[c.pk])}"' in body
    assert f'href="{reverse("verify:certificate", args=[c.token])}"' in body
    assert _issue_url(recognised) not in body  # already issued: no second button


def test_an_issuer_gets_a_button_that_posts_with_csrf_and_issues(
    commune_officer: User, recognised: Assessment
) -> None:
    body = _page(commune_officer, recognised)
    form = re.search(
        rf'<form method="post" action="{_issue_url(recognised)}".*?</form>', body, re.S
    )
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group()
    assert "Cấp giấy chứng nhận" in form.group()
    assert 'name="back" value="assessment"' in form.group()
    response = client_for(commune_officer).post(_issue_url(recognised), {"back": "assessment"})
    assert response.status_code == 302
    # Back to the page the button was on.
    assert response["Location"] == f"/assessments/{recognised.pk}/"
    c = Certificate.objects.get(assessment=recognised)
    assert f"Giấy chứng nhận {c.serial}" in _page(commune_officer, recognised)


def test_an_officer_who_may_not_issue_sees_no_button(
    district_officer: User, recognised: Assessment
) -> None:
    body = _page(district_officer, recognised)
    assert _issue_url(recognised) not in body
    assert "Chưa cấp giấy chứng nhận" in body


def test_an_assessment_that_did_not_pass_shows_no_certificate_section(
    commune_officer: User, not_passed: Assessment
) -> None:
    body = _page(commune_officer, not_passed)
    assert _issue_url(not_passed) not in body
    assert 'id="certificates"' not in body


def test_a_revoked_certificate_is_shown_with_its_reason_and_without_links(
    commune_officer: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    certificate_revoke(user=commune_officer, certificate_id=c.pk, reason="In sai năm sinh")
    body = _page(commune_officer, recognised)
    assert c.serial in body
    assert "Thu hồi ngày" in body
    assert "In sai năm sinh" in body
    assert reverse("recognition:certificate_pdf", args=[c.pk]) not in body
    assert c.token not in body
    assert _issue_url(recognised) in body  # the decision stands: a new one may be issued


def test_reopening_from_the_page_shows_the_certificate_revoked_with_the_reopen_reason(
    commune_officer: User, district_officer: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    version = Assessment.objects.get(pk=recognised.pk).version
    client = client_for(district_officer)
    response = client.post(
        reverse("assessments:act", args=[recognised.pk]),
        {"action": "reopen", "version": version, "reason": "Sai số quyết định"},
    )
    assert response.status_code == 302
    body = _page(district_officer, recognised)
    assert "Mở lại: Sai số quyết định" in body
    assert f"Giấy chứng nhận {c.serial}" not in body
    assert _issue_url(recognised) not in body


def test_an_officer_of_another_commune_gets_404_and_issues_nothing(
    outsider: User, commune_officer: User, recognised: Assessment
) -> None:
    client = client_for(outsider)
    assert client.get(reverse("assessments:detail", args=[recognised.pk])).status_code == 404
    assert client.post(_issue_url(recognised)).status_code == 404
    assert not Certificate.objects.exists()


def test_the_page_only_reads_and_the_issue_action_only_posts(
    commune_officer: User, recognised: Assessment
) -> None:
    client = client_for(commune_officer)
    assert client.post(reverse("assessments:detail", args=[recognised.pk])).status_code == 405
    assert client.get(_issue_url(recognised)).status_code == 405
    assert not Certificate.objects.exists()


def test_revoked_certificates_cost_no_extra_queries(
    commune_officer: User, recognised: Assessment
) -> None:
    client = client_for(commune_officer)
    url = reverse("assessments:detail", args=[recognised.pk])
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _i in range(3):
        certificate_revoke(user=commune_officer, certificate_id=c.pk, reason="In lại")
        c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    with CaptureQueriesContext(connection) as four:
        assert f"Giấy chứng nhận {c.serial}" in client.get(url).content.decode()
    assert len(four) == len(one)

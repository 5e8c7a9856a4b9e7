"""Reopening a decision withdraws its certificate, in the same transaction as the reopen."""

import secrets
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment, State
from hoctap.assessments.services import DecisionInput, assessment_transition
from hoctap.audit.verify import events_verify
from hoctap.core.errors import Conflict, Forbidden
from hoctap.recognition.models import Certificate
from hoctap.recognition.services import certificate_issue

pytestmark = pytest.mark.django_db

REASON = "Sai số quyết định"


@pytest.fixture
def certificate(commune_officer: User, recognised: Assessment) -> Certificate:
    return certificate_issue(user=commune_officer, assessment_id=recognised.pk)


def _reopen(user: User, assessment: Assessment, *, reason: str = REASON) -> Assessment:
    current = Assessment.objects.get(pk=assessment.pk)
    return assessment_transition(
        user=user,
        assessment_id=current.pk,
        action="reopen",
        version=current.version,
        reason=reason,
    )


def _actions(assessment: Assessment) -> list[str]:
    return list(assessment.events.order_by("seq").values_list("action", flat=True))


def _verify_page(token: str) -> tuple[int, str]:
    response = Client().get(f"/verify/{token}", HTTP_ACCEPT_LANGUAGE="vi")
    return response.status_code, response.content.decode()


def test_reopening_revokes_the_certificate_with_the_reason_and_the_officer(
    certificate: Certificate, recognised: Assessment, district_officer: User, vietnamese: None
) -> None:
    _reopen(district_officer, recognised)
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_by == district_officer
    assert certificate.revoke_reason == f"Mở lại: {REASON}"
    assert not Certificate.objects.filter(assessment=recognised, revoked_at__isnull=True).exists()


def test_the_revocation_follows_the_reopen_in_an_intact_event_chain(
    certificate: Certificate, recognised: Assessment, district_officer: User
) -> None:
    _reopen(district_officer, recognised)
    last = recognised.events.order_by("-seq")[:2]
    revoked, reopened = list(last)
    assert (reopened.action, revoked.action) == ("reopen", "certificate_revoked")
    assert revoked.seq == reopened.seq + 1
    assert revoked.changes == {"certificate": certificate.serial}
    assert REASON in revoked.reason
    assert revoked.actor_id == district_officer.pk
    assert Assessment.objects.get(pk=recognised.pk).event_count == revoked.seq
    assert events_verify().problem is None


def test_the_public_page_shows_the_certificate_as_revoked_and_a_random_token_stays_404(
    certificate: Certificate, recognised: Assessment, district_officer: User
) -> None:
    _reopen(district_officer, recognised)
    status, body = _verify_page(certificate.token)
    assert status == 200
    assert "đã bị thu hồi ngày" in body
    assert "là thật và đang có hiệu lực" not in body
    assert REASON not in body  # the reason is for officers only (ADR 0026)
    assert _verify_page(secrets.token_urlsafe(20))[0] == 404


@pytest.mark.parametrize(
    ("who", "reason", "error"),
    [
        ("district_officer", "", ValidationError),  # a reopen needs a reason
        ("commune_officer", REASON, Forbidden),  # only a higher role may reopen
    ],
)
def test_a_refused_reopen_leaves_the_certificate_current(
    certificate: Certificate,
    recognised: Assessment,
    who: str,
    reason: str,
    error: type[Exception],
    request: pytest.FixtureRequest,
) -> None:
    user = request.getfixturevalue(who)
    before = _actions(recognised)
    with pytest.raises(error):
        _reopen(user, recognised, reason=reason)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert Assessment.objects.get(pk=recognised.pk).state == State.DECIDED
    assert _actions(recognised) == before


def test_a_reopen_on_a_stale_version_leaves_the_certificate_current(
    certificate: Certificate, recognised: Assessment, district_officer: User
) -> None:
    stale = Assessment.objects.get(pk=recognised.pk).version - 1
    with pytest.raises(Conflict):
        assessment_transition(
            user=district_officer,
            assessment_id=recognised.pk,
            action="reopen",
            version=stale,
            reason=REASON,
        )
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_when_the_revocation_fails_the_reopen_is_undone_too(
    certificate: Certificate,
    recognised: Assessment,
    district_officer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("hoctap.recognition.services.event_append", broken)
    before = Assessment.objects.get(pk=recognised.pk)
    with pytest.raises(RuntimeError):
        _reopen(district_officer, recognised)
    after = Assessment.objects.get(pk=recognised.pk)
    assert (after.state, after.version, after.passed) == (State.DECIDED, before.version, True)
    assert after.event_count == before.event_count
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert events_verify().problem is None


def test_reopening_an_assessment_without_a_certificate_still_works(
    recognised: Assessment, district_officer: User
) -> None:
    reopened = _reopen(district_officer, recognised)
    assert Assessment.objects.get(pk=reopened.pk).state == State.BRANCH_REVIEWED
    assert _actions(recognised)[-1] == "reopen"
    assert not Certificate.objects.filter(assessment=recognised).exists()
    assert events_verify().problem is None


def test_deciding_again_then_issuing_gives_a_new_serial_and_token(
    certificate: Certificate,
    recognised: Assessment,
    district_officer: User,
    commune_officer: User,
) -> None:
    reopened = _reopen(district_officer, recognised)
    assessment_transition(
        user=commune_officer,
        assessment_id=reopened.pk,
        action="decide",
        version=reopened.version,
        decision=DecisionInput(number="15/QĐ-HKH", date=date(2021, 6, 10), body=""),
    )
    again = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    assert again.pk != certificate.pk
    assert again.serial != certificate.serial
    assert again.token != certificate.token
    assert _verify_page(again.token)[0] == 200
    assert "là thật và đang có hiệu lực" in _verify_page(again.token)[1]
    assert "đã bị thu hồi ngày" in _verify_page(certificate.token)[1]
    assert events_verify().problem is None

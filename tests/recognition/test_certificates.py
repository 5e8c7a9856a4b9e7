"""Issuing and revoking certificates: who may, what number they get, what the history says."""

import pytest
from django.core.exceptions import ValidationError

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment, AssessmentEvent, Period, State
from hoctap.audit.verify import events_verify
from hoctap.core.errors import Conflict, Forbidden, NotFound
from hoctap.organisation.models import Unit
from hoctap.recognition.models import Certificate
from hoctap.recognition.public import initials
from hoctap.recognition.services import (
    certificate_issue,
    certificate_revoke,
    certificates_issue_for,
)

pytestmark = pytest.mark.django_db


def test_a_commune_officer_issues_a_certificate_numbered_by_commune_and_year(
    commune_officer: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    assert c.serial == "03289/2021/0001"
    assert c.issuer.code == "03289"
    assert c.issued_by == commune_officer
    assert len(c.token) >= 27  # 160 bits in URL-safe base64


def test_issuing_twice_returns_the_same_certificate(
    commune_officer: User, recognised: Assessment
) -> None:
    first = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    again = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    assert again.pk == first.pk
    assert Certificate.objects.filter(assessment=recognised).count() == 1


def test_serials_follow_each_other_without_gaps(commune_officer: User) -> None:
    ids = Assessment.objects.filter(
        period__code="2020-2021", unit__code__startswith="03289", passed=True
    ).values_list("pk", flat=True)[:3]
    serials = [certificate_issue(user=commune_officer, assessment_id=pk).serial for pk in ids]
    assert serials == ["03289/2021/0001", "03289/2021/0002", "03289/2021/0003"]


def test_issuing_writes_an_event_that_keeps_the_chain_intact(
    commune_officer: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    event = AssessmentEvent.objects.filter(assessment=recognised).order_by("-seq").first()
    assert event is not None
    assert event.action == "certificate_issued"
    assert event.changes == {"certificate": c.serial}
    assert events_verify().problem is None


def test_no_certificate_for_an_assessment_that_did_not_pass(
    commune_officer: User, not_passed: Assessment
) -> None:
    with pytest.raises(Conflict):
        certificate_issue(user=commune_officer, assessment_id=not_passed.pk)
    assert not Certificate.objects.exists()


def test_no_certificate_before_the_decision(commune_officer: User) -> None:
    open_one = Assessment.objects.filter(
        period__code="2021-2022", unit__code__startswith="03289"
    ).exclude(state=State.DECIDED)[0]
    with pytest.raises(Conflict):
        certificate_issue(user=commune_officer, assessment_id=open_one.pk)


def test_an_officer_of_another_commune_is_told_nothing_exists(
    outsider: User, recognised: Assessment
) -> None:
    with pytest.raises(NotFound):
        certificate_issue(user=outsider, assessment_id=recognised.pk)


@pytest.mark.parametrize("persona", ["district_officer", "province_officer"])
def test_roles_that_do_not_decide_may_not_issue(
    persona: str, recognised: Assessment, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        certificate_issue(user=user, assessment_id=recognised.pk)


def test_issuing_for_a_commune_covers_everyone_who_passed_there(commune_officer: User) -> None:
    period = Period.objects.get(code="2020-2021")
    commune = Unit.objects.get(code="03289", valid_to__isnull=False)
    passed = Assessment.objects.filter(
        period=period, unit__path__startswith=commune.path, passed=True
    ).count()
    issued = certificates_issue_for(user=commune_officer, period=period, unit=commune)
    assert len(issued) == passed > 0
    numbers = sorted(c.number for c in issued)
    assert numbers == list(range(1, passed + 1))
    again = certificates_issue_for(user=commune_officer, period=period, unit=commune)
    assert {c.pk for c in again} == {c.pk for c in issued}


def test_issuing_for_another_commune_is_refused(outsider: User) -> None:
    period = Period.objects.get(code="2020-2021")
    commune = Unit.objects.get(code="03289", valid_to__isnull=False)
    with pytest.raises(NotFound):
        certificates_issue_for(user=outsider, period=period, unit=commune)


def test_revoking_needs_a_reason_and_is_written_to_the_history(
    commune_officer: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    with pytest.raises(ValidationError):
        certificate_revoke(user=commune_officer, certificate_id=c.pk, reason="  ")
    revoked = certificate_revoke(user=commune_officer, certificate_id=c.pk, reason="Cấp nhầm người")
    assert revoked.revoked_at is not None
    assert revoked.revoked_by == commune_officer
    event = AssessmentEvent.objects.filter(assessment=recognised).order_by("-seq").first()
    assert event is not None
    assert (event.action, event.reason) == ("certificate_revoked", "Cấp nhầm người")
    assert events_verify().problem is None
    with pytest.raises(Conflict):
        certificate_revoke(user=commune_officer, certificate_id=c.pk, reason="lần nữa")


def test_after_revoking_a_new_certificate_gets_a_new_serial_and_token(
    commune_officer: User, recognised: Assessment
) -> None:
    old = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    certificate_revoke(user=commune_officer, certificate_id=old.pk, reason="In sai")
    new = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    assert new.pk != old.pk
    assert (new.serial, new.token) != (old.serial, old.token)
    assert new.serial == "03289/2021/0002"


def test_an_outsider_cannot_revoke(
    commune_officer: User, outsider: User, recognised: Assessment
) -> None:
    c = certificate_issue(user=commune_officer, assessment_id=recognised.pk)
    with pytest.raises(NotFound):
        certificate_revoke(user=outsider, certificate_id=c.pk, reason="x")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Lò Thị Hoa", "L. T. H."), ("Đặng  Văn Ánh", "Đ. V. Á."), ("Giàng A Páo", "G. A. P.")],
)
def test_initials_keep_vietnamese_letters(name: str, expected: str) -> None:
    assert initials(name) == expected

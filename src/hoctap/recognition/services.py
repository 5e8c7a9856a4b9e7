"""Issuing and revoking certificates; every write also lands in the assessment's event chain."""

import secrets
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.events import event_append
from hoctap.assessments.models import Assessment, Period, State
from hoctap.assessments.workflow import TRANSITIONS, Action
from hoctap.core.errors import Conflict, Forbidden, NotFound
from hoctap.core.text import nfc
from hoctap.organisation.models import Unit
from hoctap.organisation.selectors import unit_commune
from hoctap.recognition.models import Certificate, CertificateCounter

# Who decides may issue; who may reopen a decision may also withdraw its certificate.
ISSUERS = TRANSITIONS[(State.BRANCH_REVIEWED, Action.DECIDE)].roles
REVOKERS = ISSUERS | TRANSITIONS[(State.DECIDED, Action.REOPEN)].roles
TOKEN_BYTES = 20  # 160 bits, 27 characters in the link


def issuer_of(unit: Unit) -> Unit:
    """Return the commune an assessment's unit lies in (itself if none is found above it)."""
    return unit_commune(unit=unit) or unit


def serial_next(issuer_code: str, year: int) -> int:
    """Take the next number of an issuer's year; the counter row stays locked until commit.

    The row is made with INSERT … ON CONFLICT DO NOTHING, so two first certificates of a
    year cannot both create it; the lock then serialises every later writer (on SQLite the
    IMMEDIATE transaction already does).
    """
    CertificateCounter.objects.bulk_create(
        [CertificateCounter(issuer_code=issuer_code, year=year)], ignore_conflicts=True
    )
    counter = CertificateCounter.objects.select_for_update().get(issuer_code=issuer_code, year=year)
    counter.last += 1
    CertificateCounter.objects.filter(pk=counter.pk).update(last=counter.last)
    return counter.last


def _locked(user: User, assessment_id: UUID, roles: frozenset[str]) -> Assessment:
    scope = scope_for(user)
    rows = Assessment.objects.select_for_update(of=("self",)).select_related("unit", "period")
    try:
        assessment = scope.filter(rows, "unit").get(pk=assessment_id)
    except (Assessment.DoesNotExist, ValueError, ValidationError):
        raise NotFound(_("No such assessment.")) from None
    if not scope.roles_at(assessment.unit.path) & roles:
        raise Forbidden(_("Your role may not issue or revoke certificates."))
    return assessment


@transaction.atomic
def certificate_issue(*, user: User, assessment_id: UUID) -> Certificate:
    """Issue the certificate of a decided, passed assessment; issuing again returns the same."""
    assessment = _locked(user, assessment_id, ISSUERS)
    current = Certificate.objects.filter(assessment=assessment, revoked_at__isnull=True).first()
    if current is not None:
        return current
    if assessment.state != State.DECIDED or assessment.passed is not True:
        raise Conflict(_("Only a decided assessment that passed can have a certificate."))
    if assessment.decision_date is None:
        raise Conflict(_("The decision has no date; a certificate needs one."))
    issuer = issuer_of(assessment.unit)
    year = assessment.decision_date.year
    number = serial_next(issuer.code, year)
    certificate = Certificate.objects.create(
        assessment=assessment,
        issuer=issuer,
        year=year,
        number=number,
        serial=f"{issuer.code}/{year}/{number:04d}",
        token=secrets.token_urlsafe(TOKEN_BYTES),
        issued_at=timezone.now(),
        issued_by=user,
    )
    event_append(
        assessment,
        actor_id=user.pk,
        action="certificate_issued",
        from_state=assessment.state,
        to_state=assessment.state,
        changes={"certificate": certificate.serial},
    )
    return certificate


def certificates_issue_for(*, user: User, period: Period, unit: Unit) -> list[Certificate]:
    """Issue (or return) the certificates of every passed, decided assessment under `unit`."""
    scope = scope_for(user)
    if not scope.covers_path(unit.path):
        raise NotFound(_("No such unit."))
    if not scope.roles_at(unit.path) & ISSUERS:
        raise Forbidden(_("Your role may not issue or revoke certificates."))
    ids = (
        scope.filter(Assessment.objects.all(), "unit")
        .filter(period=period, unit__path__startswith=unit.path, state=State.DECIDED, passed=True)
        .order_by("decision_date", "unit__name", "citizen__full_name", "pk")
        .values_list("pk", flat=True)
    )
    # One transaction for the lot: the serials of one run are consecutive, or none is used.
    with transaction.atomic():
        return [certificate_issue(user=user, assessment_id=pk) for pk in ids]


@transaction.atomic
def certificate_revoke(*, user: User, certificate_id: int, reason: str) -> Certificate:
    """Revoke a certificate with a reason, recorded in the assessment's event chain."""
    reason = nfc(reason).strip()
    scope = scope_for(user)
    found = (
        scope.filter(Certificate.objects.all(), "assessment__unit")
        .filter(pk=certificate_id)
        .values_list("assessment_id", flat=True)
        .first()
    )
    if found is None:
        raise NotFound(_("No such certificate."))
    assessment = _locked(user, found, REVOKERS)
    certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
    if certificate.revoked_at is not None:
        raise Conflict(_("This certificate was already revoked."))
    if not reason:
        raise ValidationError(_("Please give a reason."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = user
    certificate.revoke_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    event_append(
        assessment,
        actor_id=user.pk,
        action="certificate_revoked",
        from_state=assessment.state,
        to_state=assessment.state,
        reason=reason,
        changes={"certificate": certificate.serial},
    )
    return certificate


@transaction.atomic
def certificates_withdraw_on_reopen(
    *, assessment: Assessment, actor_id: int | None, reason: str
) -> Certificate | None:
    """Revoke the current certificate of an assessment whose decision is being reopened.

    Called by `assessment_transition` inside its transaction, after the reopen event, with the
    assessment row locked and its chain head current in memory: the revocation event follows
    the reopen event, and either both are written or neither.
    """
    certificate = (
        Certificate.objects.select_for_update()
        .filter(assessment=assessment, revoked_at__isnull=True)
        .first()
    )
    if certificate is None:
        return None
    certificate.revoked_at = timezone.now()
    certificate.revoked_by_id = actor_id
    # Stored in the association's language, whatever the language of the officer's screen.
    with translation.override(settings.LANGUAGE_CODE):
        certificate.revoke_reason = _("Reopened: %(reason)s") % {"reason": nfc(reason).strip()}
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    event_append(
        assessment,
        actor_id=actor_id,
        action="certificate_revoked",
        from_state=assessment.state,
        to_state=assessment.state,
        reason=certificate.revoke_reason,
        changes={"certificate": certificate.serial},
    )
    return certificate

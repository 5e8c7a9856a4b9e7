"""A person's rights over their data (Law 91/2025/QH15, Decree 356/2025/NĐ-CP).

Requests are recorded with the day they must be answered and the day they must be carried
out; a copy of the data is given as JSON; erasure anonymises the person so that the reports,
which count them, stay exactly as they were; consent can be withdrawn at any time.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import Role, User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment, Evidence
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.audit.services import access_log_record
from hoctap.core.errors import Conflict, Forbidden, NotFound
from hoctap.core.text import fold
from hoctap.people.models import (
    CONSENT_PURPOSE,
    Citizen,
    Consent,
    ConsentMethod,
    DataRequest,
    RequestKind,
    RequestStatus,
)
from hoctap.people.selectors import citizen_get
from hoctap.people.services import consent_record

# Who may act on a person's rights: the commune association that holds the record, or above.
_HANDLERS = frozenset(
    {Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER, Role.ADMINISTRATOR}
)
ERASED_NAME = "—"


def working_days_after(start: date, days: int) -> date:
    """Return the date `days` working days (Monday to Friday) after `start`.

    Public holidays are not counted out: the deadline shown is never later than the law's.
    """
    current, left = start, days
    while left:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def _citizen(user: User, citizen_id: int) -> Citizen:
    try:
        citizen = citizen_get(user=user, pk=citizen_id)
    except Citizen.DoesNotExist:
        raise NotFound(_("No such person.")) from None
    if not scope_for(user).roles_at(citizen.home_unit.path) & _HANDLERS:
        raise Forbidden(_("Only the commune association handles requests about personal data."))
    return citizen


@transaction.atomic
def data_request_record(
    *,
    user: User,
    citizen_id: int,
    kind: RequestKind,
    received_how: ConsentMethod,
    received_at: datetime | None = None,
) -> DataRequest:
    """Record a person's request and the deadlines that run from its receipt."""
    citizen = _citizen(user, citizen_id)
    received = received_at or timezone.now()
    day = timezone.localdate(received)
    return DataRequest.objects.create(
        citizen=citizen,
        subject=_("person #%(id)d") % {"id": citizen.pk},
        unit=citizen.home_unit,
        kind=kind,
        received_at=received,
        received_how=received_how,
        recorded_by=user,
        acknowledge_by=working_days_after(day, settings.HOCTAP_DATA_REQUEST_ANSWER_WORKING_DAYS),
        due_by=day + timedelta(days=settings.HOCTAP_DATA_REQUEST_DAYS),
    )


def data_requests_for(*, user: User) -> list[DataRequest]:
    """Return the open requests of the user's area, the most urgent first."""
    rows = scope_for(user).filter(
        DataRequest.objects.filter(status=RequestStatus.OPEN).select_related("unit"), "unit"
    )
    return list(rows.order_by("due_by", "received_at"))


def citizen_export(*, user: User, citizen_id: int) -> dict[str, Any]:
    """Return everything held about a person, as plain JSON-ready data; the export is logged."""
    citizen = _citizen(user, citizen_id)
    assessments = Assessment.objects.filter(citizen=citizen).select_related("period", "unit")
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "person": {
            "full_name": citizen.full_name,
            "birth_year": citizen.birth_year,
            "sex": citizen.sex,
            "ethnicity": citizen.ethnicity.name if citizen.ethnicity else None,
            "national_id": citizen.national_id,
            "unit": citizen.home_unit.name,
            "household": str(citizen.household) if citizen.household else None,
            "workplace": citizen.workplace.name if citizen.workplace else None,
        },
        "consents": [
            {
                "purpose": c.purpose,
                "notice_version": c.notice_version,
                "how": c.method,
                "given_at": c.given_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in citizen.consents.order_by("given_at")
        ],
        "assessments": [
            {
                "period": a.period.code,
                "unit": a.unit.name,
                "group": a.group,
                "state": a.state,
                "scores": {"self": a.self_scores, "reviewer": a.reviewer_scores},
                "final": a.final_scores,
                "result": a.result,
                "decision": {"number": a.decision_number, "date": str(a.decision_date or "")},
                "history": [
                    {"at": e.at.isoformat(), "action": e.action, "reason": e.reason}
                    for e in a.events.order_by("at", "pk")
                ],
                "evidence": [
                    {"file": e.original_name, "indicators": e.indicators, "sha256": e.sha256}
                    for e in a.evidence.all()
                ],
            }
            for a in assessments
        ],
        # Who looked at the person's record: part of what they may ask to know.
        "viewed": [
            {"at": entry.at.isoformat(), "by": entry.user.username, "what": entry.action}
            for entry in AccessLogEntry.objects.filter(
                object_type="citizen", object_id=str(citizen.pk)
            ).select_related("user")
        ],
    }
    access_log_record(
        user=user, action=AccessAction.EXPORT, object_type="citizen", object_id=citizen.pk
    )
    return data


def _open_request(user: User, request_id: int, kind: RequestKind) -> DataRequest:
    request = (
        scope_for(user)
        .filter(DataRequest.objects.select_for_update(of=("self",)), "unit")
        .filter(pk=request_id, kind=kind)
        .first()
    )
    if request is None or request.citizen_id is None:
        raise NotFound(_("No such request."))
    if request.status != RequestStatus.OPEN:
        raise Conflict(_("This request has already been handled."))
    return request


def _close(request: DataRequest, user: User, outcome: str) -> None:
    request.status = RequestStatus.DONE
    request.handled_at = timezone.now()
    request.handled_by = user
    request.outcome = outcome
    request.save()


@transaction.atomic
def data_request_export_done(*, user: User, request_id: int) -> dict[str, Any]:
    """Answer a request for a copy: return the data and mark the request done."""
    request = _open_request(user, request_id, RequestKind.EXPORT)
    data = citizen_export(user=user, citizen_id=request.citizen_id or 0)
    _close(request, user, _("A copy of the data was given as a JSON file."))
    return data


@transaction.atomic
def citizen_erase(*, user: User, request_id: int, confirmed: bool) -> DataRequest:
    """Carry out an erasure request by anonymising the person.

    The name, CCCD, household, workplace and evidence files go; birth year, sex and ethnicity
    stay so that every report keeps its exact counts, but no longer point at anyone.
    Consents are withdrawn. The request itself stays, under a neutral label.
    """
    request = _open_request(user, request_id, RequestKind.ERASURE)
    citizen = _citizen(user, request.citizen_id or 0)
    if not confirmed:
        raise Conflict(_("Tick the box to confirm the erasure: it cannot be undone."))
    household = citizen.household
    if household and fold(household.head_name) == citizen.search_name:
        household.head_name = ""
        household.save(update_fields=["head_name"])
    evidence = list(Evidence.objects.filter(assessment__citizen=citizen))
    files = [e.file.name for e in evidence if e.file]
    Evidence.objects.filter(pk__in=[e.pk for e in evidence]).update(file="", original_name="")
    # Files go once the rows are committed: a rollback must not leave rows without files.
    transaction.on_commit(lambda: _files_delete(files))
    Consent.objects.filter(citizen=citizen, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    citizen.full_name = ERASED_NAME
    citizen.national_id = None
    citizen.household = None
    citizen.workplace = None
    citizen.save()
    _close(
        request,
        user,
        _("Anonymised: name, CCCD, household, workplace and %(n)d evidence files erased.")
        % {"n": len(files)},
    )
    return request


def consent_give(*, user: User, citizen_id: int, method: ConsentMethod) -> Consent:
    """Record that the person consented, under the current privacy notice, and how."""
    try:
        citizen = citizen_get(user=user, pk=citizen_id)
    except Citizen.DoesNotExist:
        raise NotFound(_("No such person.")) from None
    return consent_record(
        citizen=citizen,
        purpose=CONSENT_PURPOSE,
        notice_version=settings.HOCTAP_PRIVACY_NOTICE_VERSION,
        method=method,
        given_at=timezone.now(),
        recorded_by=user,
    )


def _files_delete(names: list[str]) -> None:
    storage = Evidence._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


@transaction.atomic
def consent_withdraw(
    *, user: User, consent_id: int, received_how: ConsentMethod = ConsentMethod.PAPER
) -> Consent:
    """Withdraw a consent on the person's word, recording the request as done at once."""
    consent = Consent.objects.select_for_update(of=("self",)).filter(pk=consent_id).first()
    if consent is None:
        raise NotFound(_("No such consent."))
    citizen = _citizen(user, consent.citizen_id)
    if consent.withdrawn_at is not None:
        raise Conflict(_("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    request = data_request_record(
        user=user,
        citizen_id=citizen.pk,
        kind=RequestKind.WITHDRAWAL,
        received_how=received_how,
    )
    _close(request, user, _("Consent for “%(p)s” withdrawn.") % {"p": consent.purpose})
    return consent

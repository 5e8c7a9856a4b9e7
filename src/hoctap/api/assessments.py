"""Assessment operations of /api/v1/: thin adapters over the services and selectors."""

import hashlib
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.api.api import api_user
from hoctap.api.schemas import (
    AssessmentCreateIn,
    AssessmentOut,
    AssessmentPage,
    CitizenOut,
    DecisionOut,
    EvidenceOut,
    Message,
    ScoreLayers,
    ScoresIn,
    TransitionIn,
)
from hoctap.assessments.enrolment import (
    ConsentInput,
    PersonInput,
    consent_missing_error,
    enrolment_create,
)
from hoctap.assessments.evidence import evidence_add_once, evidence_open
from hoctap.assessments.models import Assessment, State
from hoctap.assessments.periods import period_get
from hoctap.assessments.selectors import (
    AssessmentFilter,
    assessment_filtered,
    assessment_get,
    assessment_list,
)
from hoctap.assessments.services import (
    DecisionInput,
    assessment_scores_set,
    assessment_transition,
)
from hoctap.assessments.workflow import allowed_actions
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import DUPLICATE_ENROLMENT, ID_CONFLICT, Conflict, DomainError, NotFound
from hoctap.people.models import ConsentMethod, Sex

router = Router(tags=["assessments"])
ERRORS = {400: Message, 403: Message, 404: Message, 409: Message}
PAGE_SIZE = 50
# Ten million assessments in 50s: no list has more pages than this.
MAX_PAGE = 1_000_000


def _scores(raw: dict[str, str]) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in raw.items()}


def assessment_out(assessment: Assessment, scope: Scope) -> AssessmentOut:
    """Shape one assessment for the API; the CCCD is always masked."""
    citizen = assessment.citizen
    decided = assessment.state == State.DECIDED
    return AssessmentOut(
        id=assessment.id,
        period=assessment.period.code,
        scheme=str(assessment.scheme),
        unit=assessment.unit.code,
        group=assessment.group,
        state=assessment.state,
        version=assessment.version,
        citizen=CitizenOut(
            id=citizen.pk,
            full_name=citizen.full_name,
            birth_year=citizen.birth_year,
            sex=citizen.sex,
            ethnicity=citizen.ethnicity.name if citizen.ethnicity else None,
            national_id_masked=citizen.masked_national_id,
        )
        if citizen
        else None,
        scores=ScoreLayers(
            self=_scores(assessment.self_scores),
            reviewer=_scores(assessment.reviewer_scores),
            final=_scores(assessment.final_scores),
        ),
        result=assessment.result or None,
        passed=assessment.passed,
        final_total=assessment.final_total,
        decision=DecisionOut(
            number=assessment.decision_number,
            date=assessment.decision_date,
            body=assessment.decision_body,
        )
        if decided
        else None,
        allowed_actions=[
            a.value
            for a in allowed_actions(State(assessment.state), scope.roles_at(assessment.unit.path))
        ],
    )


def _digest(payload: AssessmentCreateIn) -> str:
    return hashlib.sha256(payload.model_dump_json().encode()).hexdigest()


def _replay(user: User, scope: Scope, payload: AssessmentCreateIn) -> AssessmentOut | None:
    """Answer a re-sent create: the same record for the same body, a conflict for another."""
    existing = assessment_list(user=user, scope=scope).filter(pk=payload.id).first()
    if existing is None:
        if Assessment.objects.filter(pk=payload.id).exists():
            raise NotFound(_("No such assessment."))
        return None
    if existing.request_digest != _digest(payload):
        raise Conflict(
            _("An assessment with this id already exists with different content."), ID_CONFLICT
        )
    return assessment_out(existing, scope)


@router.post("/assessments", response={200: AssessmentOut, 201: AssessmentOut, **ERRORS})
def assessment_create(request: HttpRequest, payload: AssessmentCreateIn) -> Status[AssessmentOut]:
    """Enrol a citizen for a period; re-sending the same body returns the same record."""
    user = api_user(request)
    scope = scope_for(user)
    if (replayed := _replay(user, scope, payload)) is not None:
        return Status(200, replayed)
    try:
        with transaction.atomic():
            assessment = _create(user, scope, payload)
    except IntegrityError:
        # Another request won the race: with this id it is a replay; otherwise the same
        # person was enrolled for the period under another id.
        if (replayed := _replay(user, scope, payload)) is not None:
            return Status(200, replayed)
        raise Conflict(
            _("This person is already enrolled for the period."), DUPLICATE_ENROLMENT
        ) from None
    fresh = assessment_get(user=user, assessment_id=assessment.id, scope=scope)
    return Status(201, assessment_out(fresh, scope))


def _create(user: User, scope: Scope, payload: AssessmentCreateIn) -> Assessment:
    if payload.consent is None or not payload.consent.given:
        raise consent_missing_error()
    person = payload.citizen
    return enrolment_create(
        user=user,
        period=period_get(payload.period),
        unit_code=payload.unit,
        group=payload.group,
        person=PersonInput(
            full_name=person.full_name,
            birth_year=person.birth_year,
            sex=Sex(person.sex),
            ethnicity=person.ethnicity,
            national_id=person.national_id,
            household=person.household,
        ),
        consent=ConsentInput(method=ConsentMethod(payload.consent.how)),
        assessment_id=payload.id,
        request_digest=_digest(payload),
    )


@router.get("/assessments", response={200: AssessmentPage, 404: Message})
def assessment_index(
    request: HttpRequest, period: str = "", unit: str = "", state: str = "", page: int = 1
) -> AssessmentPage:
    """List assessments in the caller's scope, filtered by period, unit subtree and state."""
    user = api_user(request)
    scope = scope_for(user)
    filters = AssessmentFilter(period=period, unit=unit, state=state)
    rows = assessment_filtered(user=user, filters=filters, scope=scope).select_related(
        "citizen__ethnicity"
    )
    if not 1 <= page <= MAX_PAGE:
        # A number past any real list (4611686018427387904 overflowed the slice: a 500).
        raise DomainError(
            _("Page %(page)s does not exist: pages run from 1.") % {"page": page}, "invalid"
        )
    count = rows.count()
    access_log_record(
        user=user,
        action=AccessAction.SEARCH,
        object_type="assessment",
        detail={"period": period, "unit": unit, "state": state, "page": page},
    )
    chunk = rows.order_by("created_at", "id")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return AssessmentPage(
        items=[assessment_out(a, scope) for a in chunk], count=count, page=page, page_size=PAGE_SIZE
    )


@router.get("/assessments/{assessment_id}", response={200: AssessmentOut, **ERRORS})
def assessment_detail(request: HttpRequest, assessment_id: UUID) -> AssessmentOut:
    """Return one assessment with its three score layers and what the caller may do next."""
    user = api_user(request)
    scope = scope_for(user)
    assessment = assessment_get(user=user, assessment_id=assessment_id, scope=scope)
    access_log_record(
        user=user, action=AccessAction.VIEW, object_type="assessment", object_id=assessment.pk
    )
    return assessment_out(assessment, scope)


@router.put("/assessments/{assessment_id}/scores", response={200: AssessmentOut, **ERRORS})
def assessment_scores(
    request: HttpRequest, assessment_id: UUID, payload: ScoresIn
) -> AssessmentOut:
    """Write scores of one layer; a stale version is refused with 409."""
    user = api_user(request)
    assessment_scores_set(
        user=user,
        assessment_id=assessment_id,
        layer=payload.layer,
        scores=dict(payload.scores),
        version=payload.version,
    )
    return assessment_detail(request, assessment_id)


@router.post("/assessments/{assessment_id}/transitions", response={200: AssessmentOut, **ERRORS})
def assessment_act(
    request: HttpRequest, assessment_id: UUID, payload: TransitionIn
) -> AssessmentOut:
    """Take a workflow action: 409 when not possible now, 403 when not for this role."""
    user = api_user(request)
    decision = payload.decision
    assessment_transition(
        user=user,
        assessment_id=assessment_id,
        action=payload.action,
        version=payload.version,
        reason=payload.reason,
        decision=DecisionInput(number=decision.number, date=decision.date, body=decision.body)
        if decision
        else None,
        accept=payload.accept or "",
    )
    return assessment_detail(request, assessment_id)


@router.post(
    "/assessments/{assessment_id}/evidence",
    response={200: EvidenceOut, 201: EvidenceOut, **ERRORS},
)
def assessment_evidence(
    request: HttpRequest,
    assessment_id: UUID,
    file: File[UploadedFile],
    indicators: Form[str],
    id: Form[UUID | None] = None,
) -> Status[EvidenceOut]:
    """Attach a photo or PDF as evidence for the indicators named (comma-separated).

    201 with the new record. With `id` (a UUID the client drew), re-sending the same file and
    indicators answers 200 with the record already stored, and stores nothing; the same `id`
    with another file or indicators, or on another assessment, answers 409.
    """
    added = evidence_add_once(
        user=api_user(request),
        assessment_id=assessment_id,
        upload=file,
        indicators=indicators.replace(";", ",").split(","),
        evidence_id=id,
    )
    evidence = added.evidence
    return Status(
        201 if added.created else 200,
        EvidenceOut(
            id=evidence.id,
            sha256=evidence.sha256,
            size=evidence.size,
            content_type=evidence.content_type,
            indicators=evidence.indicators,
        ),
    )


@router.get("/evidence/{evidence_id}", response={200: None, 404: Message})
def evidence_file(request: HttpRequest, evidence_id: UUID) -> FileResponse:
    """Return an evidence file; every view is recorded in the access log."""
    evidence = evidence_open(user=api_user(request), evidence_id=evidence_id)
    return FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)

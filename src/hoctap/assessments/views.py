"""The assessment pages: review queue, enrolment, the assessment with its scores and history."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.assessments.evidence import evidence_add, evidence_open, evidence_thumbnail
from hoctap.assessments.forms import ActionForm, EnrolForm, EvidenceForm, ScoresForm
from hoctap.assessments.models import Assessment, Period, State
from hoctap.assessments.periods import period_get
from hoctap.assessments.scoring import missing_indicators, outcome_of
from hoctap.assessments.selectors import assessment_get, assessment_list
from hoctap.assessments.services import (
    Actor,
    DecisionInput,
    assessment_register,
    assessment_scores_set,
    assessment_transition,
)
from hoctap.assessments.workflow import (
    LAYER_ROLES,
    LAYER_STATES,
    TRANSITIONS,
    Action,
    allowed_actions,
)
from hoctap.core.errors import DomainError, NotFound
from hoctap.core.http import authenticated_user
from hoctap.learning.evidence import attendance_evidence
from hoctap.organisation.selectors import unit_resolve_between
from hoctap.people.models import ConsentMethod, Sex
from hoctap.people.privacy import CONSENT_PURPOSE
from hoctap.people.services import citizen_find_or_create, consent_record
from hoctap.recognition.services import ISSUERS

LAYERS = ("self", "reviewer", "final")
DECIDERS = TRANSITIONS[(State.BRANCH_REVIEWED, Action.DECIDE)].roles


def _get(request: HttpRequest, assessment_id: UUID) -> tuple[User, Scope, Assessment]:
    user = authenticated_user(request)
    scope = scope_for(user)
    try:
        return user, scope, assessment_get(user=user, assessment_id=assessment_id, scope=scope)
    except NotFound:
        raise Http404 from None


def editable_layer(assessment: Assessment, roles: frozenset[str]) -> str | None:
    """Return the most advanced score layer the user may write now, if any."""
    for layer in reversed(LAYERS):
        if State(assessment.state) in LAYER_STATES[layer] and roles & LAYER_ROLES[layer]:
            return layer
    return None


@require_safe
@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    """List the assessments in scope, filtered by period, unit, group and state."""
    user = authenticated_user(request)
    periods = list(Period.objects.order_by("-starts_on"))
    period_code = request.GET.get("period") or (periods[0].code if periods else "")
    rows = assessment_list(user=user).filter(period__code=period_code)
    filters = {k: request.GET.get(k, "").strip() for k in ("unit", "group", "state")}
    if filters["unit"]:
        rows = rows.filter(unit__code__startswith=filters["unit"])
    if filters["group"]:
        rows = rows.filter(group=filters["group"])
    if filters["state"]:
        rows = rows.filter(state=filters["state"])
    rows = rows.select_related("citizen").order_by("unit__path", "citizen__search_name")
    page = Paginator(rows, settings.HOCTAP_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "periods": periods,
        "period": period_code,
        "filters": filters,
        "states": State.choices,
        # Decide many at once: offered on the reviewed list to those who may decide.
        "bulk": filters["state"] == State.BRANCH_REVIEWED
        and bool(scope_for(user).roles & DECIDERS),
    }
    return render(request, "assessments/queue.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Enrol a person for a period in a unit of the officer's area."""
    user = authenticated_user(request)
    try:
        period = period_get(request.GET.get("period") or request.POST.get("period", ""))
    except ValidationError:
        raise Http404 from None
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_resolve_between(
                code=data["unit"], starts_on=period.starts_on, ends_on=period.ends_on
            )
            if not scope_for(user).covers_path(unit.path):
                raise ValidationError(_("No such unit."))
            # One transaction: a refused enrolment leaves no stray person or household.
            with transaction.atomic():
                citizen = citizen_find_or_create(
                    unit=unit,
                    full_name=data["full_name"],
                    birth_year=data["birth_year"],
                    sex=Sex(data["sex"]),
                    ethnicity=data["ethnicity"],
                    national_id=data["national_id"] or None,
                    household_code=data["household"],
                )
                if data["consent"]:
                    consent_record(
                        citizen=citizen,
                        purpose=CONSENT_PURPOSE,
                        notice_version=settings.HOCTAP_PRIVACY_NOTICE_VERSION,
                        method=ConsentMethod(data["consent_how"] or ConsentMethod.PAPER),
                        given_at=timezone.now(),
                        recorded_by=user,
                    )
                assessment = assessment_register(
                    user=user, period=period, unit=unit, group=data["group"], citizen=citizen
                )
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Enrolled."))
            return redirect("assessments:detail", assessment_id=assessment.pk)
    return render(request, "assessments/enrol.html", {"form": form, "period": period})


def _detail_context(user: User, scope: Scope, a: Assessment, **forms: Any) -> dict[str, Any]:
    definition = a.scheme.parsed
    roles = scope.roles_at(a.unit.path)
    layer = editable_layer(a, roles)
    rows = [
        {
            "code": i.code,
            "text": i.text_for(a.group),
            "self": a.self_scores.get(i.code, ""),
            "reviewer": a.reviewer_scores.get(i.code, ""),
            "final": a.final_scores.get(i.code, ""),
        }
        for i in definition.indicators
    ]
    scores_form = forms.get("scores_form") or (
        ScoresForm(
            definition=definition,
            initial_scores=a.scores(layer),
            group=a.group,
            initial={"version": a.version},
        )
        if layer
        else None
    )
    return {
        "assessment": a,
        "definition": definition,
        "rows": rows,
        "layer": layer,
        "scores_form": scores_form,
        "actions": [x.value for x in allowed_actions(State(a.state), roles)],
        "action_form": forms.get("action_form") or ActionForm(initial={"version": a.version}),
        "evidence_form": forms.get("evidence_form")
        or EvidenceForm(codes=definition.indicator_codes),
        "evidence": a.evidence.all(),
        "learning": attendance_evidence(scope=scope, assessment=a),
        "events": a.events.select_related("actor").order_by("at", "pk"),
        "preview": score_preview(a, a.scores(layer) if layer else a.final_scores),
        "result_label": definition.result_label(a.result) if a.result else "",
        **certificates_context(a, roles),
    }


def certificates_context(a: Assessment, roles: frozenset[str]) -> dict[str, Any]:
    """Return the current certificate, the revoked ones, and whether the user may issue now."""
    # One query: the assessment is already in the user's scope, so are its certificates.
    found = list(a.certificates.order_by("-issued_at", "-pk"))
    current = next((c for c in found if c.revoked_at is None), None)
    recognised = a.state == State.DECIDED and a.passed is True
    return {
        "recognised": recognised,
        "certificate": current,
        "revoked_certificates": [c for c in found if c.revoked_at is not None],
        "may_issue": recognised and current is None and bool(roles & ISSUERS),
    }


def score_preview(a: Assessment, scores: dict[str, Any]) -> dict[str, Any]:
    """Compute the running total and, when complete, the result by the scheme's rule."""
    definition = a.scheme.parsed
    clean = {c: str(v) for c, v in scores.items() if v not in (None, "")}
    total = sum((Decimal(v) for v in clean.values()), Decimal(0))
    missing = missing_indicators(definition, clean)
    outcome = None if missing else outcome_of(definition, clean)
    return {
        "total": total,
        "missing": missing,
        "label": definition.result_label(outcome.code) if outcome else "",
        "passed": outcome.passed if outcome else None,
    }


@require_safe
@login_required
def detail_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Show an assessment: scores by layer, the form the user may fill, evidence, history."""
    user, scope, a = _get(request, assessment_id)
    return render(request, "assessments/detail.html", _detail_context(user, scope, a))


@require_POST
@login_required
def preview_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Return the running total and đạt / chưa đạt for the scores typed so far (HTMX)."""
    _user, _scope, a = _get(request, assessment_id)
    return preview_response(request, a)


def preview_response(request: HttpRequest, a: Assessment) -> HttpResponse:
    """Render the running total for the scores posted so far, skipping unusable values."""
    scores = {}
    for indicator in a.scheme.parsed.indicators:
        raw = request.POST.get(indicator.code, "").strip().replace(",", ".")
        try:
            value = Decimal(raw)
        except ArithmeticError:
            continue
        if value.is_finite() and 0 <= value <= indicator.max:
            scores[indicator.code] = str(value)
    context = {"preview": score_preview(a, scores)}
    return render(request, "assessments/partials/preview.html", context)


@require_POST
@login_required
def scores_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Save the scores of the layer the user may write now."""
    user, scope, a = _get(request, assessment_id)
    layer = editable_layer(a, scope.roles_at(a.unit.path))
    form = ScoresForm(request.POST, definition=a.scheme.parsed, initial_scores={}, group=a.group)
    if layer is None or not form.is_valid():
        messages.error(request, _("The scores were not saved; check the values."))
        return render(
            request,
            "assessments/detail.html",
            _detail_context(user, scope, a, scores_form=form),
            status=400,
        )
    try:
        assessment_scores_set(
            user=user,
            assessment_id=a.pk,
            layer=layer,
            scores=form.scores(),
            version=form.cleaned_data["version"],
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Scores saved."))
    return redirect("assessments:detail", assessment_id=a.pk)


def error_message(error: DomainError | ValidationError) -> str:
    return error.message if isinstance(error, DomainError) else " ".join(error.messages)


@require_POST
@login_required
def act_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Take a workflow action (submit, review, decide, return with a reason…)."""
    user, _scope, a = _get(request, assessment_id)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The action was not taken; check the form."))
        return redirect("assessments:detail", assessment_id=a.pk)
    data = form.cleaned_data
    decision = None
    if data["decision_number"] and data["decision_date"]:
        decision = DecisionInput(
            number=data["decision_number"], date=data["decision_date"], body=data["decision_body"]
        )
    try:
        assessment_transition(
            user=user,
            assessment_id=a.pk,
            action=data["action"],
            version=data["version"],
            reason=data["reason"],
            decision=decision,
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Done."))
    return redirect("assessments:detail", assessment_id=a.pk)


@require_POST
@login_required
def evidence_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Attach a photo or a PDF as evidence."""
    user, _scope, a = _get(request, assessment_id)
    evidence_from_form(request, user, a)
    return redirect("assessments:detail", assessment_id=a.pk)


def evidence_from_form(request: HttpRequest, actor: Actor, a: Assessment) -> None:
    """Attach the posted file for `actor`, telling the outcome through messages."""
    form = EvidenceForm(request.POST, request.FILES, codes=a.scheme.parsed.indicator_codes)
    if not form.is_valid():
        messages.error(request, _("Choose a file and at least one indicator."))
        return
    try:
        evidence_add(
            user=actor,
            assessment_id=a.pk,
            upload=form.cleaned_data["file"],
            indicators=form.cleaned_data["indicators"],
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Evidence added."))


@require_POST
@login_required
def bulk_decide_view(request: HttpRequest) -> HttpResponse:
    """Decide many reviewed assessments at once under one decision number and date."""
    user = authenticated_user(request)
    form = ActionForm({**request.POST.dict(), "action": "decide", "version": 0})
    ids = [pk for pk in request.POST.getlist("ids") if _is_uuid(pk)]
    if (
        not form.is_valid()
        or not form.cleaned_data["decision_number"]
        or not form.cleaned_data["decision_date"]
    ):
        messages.error(request, _("A decision needs its number and date."))
        return _back_to_queue(request)
    data = form.cleaned_data
    decision = DecisionInput(
        number=data["decision_number"], date=data["decision_date"], body=data["decision_body"]
    )
    done, refused = 0, 0
    for assessment in assessment_list(user=user).filter(pk__in=ids):
        try:
            assessment_transition(
                user=user,
                assessment_id=assessment.pk,
                action="decide",
                version=assessment.version,
                decision=decision,
            )
        except (DomainError, ValidationError):
            refused += 1
        else:
            done += 1
    messages.success(
        request,
        _("%(done)d decided, %(refused)d not decided.") % {"done": done, "refused": refused},
    )
    return _back_to_queue(request)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    """Return to the list the form was sent from, never to another site."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("assessments:queue")


@require_safe
@login_required
def evidence_file_view(request: HttpRequest, evidence_id: UUID) -> HttpResponseBase:
    """Show an evidence file, or its thumbnail with ?thumb=1; every view is logged."""
    try:
        evidence = evidence_open(user=authenticated_user(request), evidence_id=evidence_id)
    except NotFound:
        raise Http404 from None
    if not evidence.file:
        raise Http404  # erased at the person's request
    thumbnail = evidence_thumbnail(evidence) if request.GET.get("thumb") else None
    response: HttpResponseBase
    if thumbnail is not None:
        response = HttpResponse(thumbnail, content_type="image/jpeg")
    else:
        response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
        response["Content-Disposition"] = (
            content_disposition_header(
                as_attachment=False, filename=evidence.original_name or "minh-chung"
            )
            or "inline"
        )
    # Personal data: kept by this browser only, never by a shared cache.
    response["Cache-Control"] = "private, max-age=3600"
    return response

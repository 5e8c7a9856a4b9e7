"""The assessment pages: review queue, enrolment, the assessment with its scores and history."""

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.assessments.evidence import evidence_add, evidence_open, evidence_thumbnail
from hoctap.assessments.forms import ActionForm, EvidenceForm, ScoresForm
from hoctap.assessments.models import Assessment, State
from hoctap.assessments.presenting import (
    BELOW,
    basis_layer,
    basis_scores,
    group_label,
    indicator_rows,
    next_steps,
    score_preview,
)
from hoctap.assessments.scoring import parse_score
from hoctap.assessments.selectors import (
    AssessmentFilter,
    assessment_get,
    assessment_next,
)
from hoctap.assessments.services import (
    Actor,
    DecisionInput,
    assessment_scores_set,
    assessment_transition,
)
from hoctap.assessments.workflow import (
    LAYER_LABELS,
    LAYER_ROLES,
    LAYER_STATES,
    TRANSITIONS,
    Action,
    event_label,
)
from hoctap.core.errors import DomainError, NotFound
from hoctap.core.http import authenticated_user
from hoctap.learning.evidence import attendance_evidence
from hoctap.recognition.services import ISSUERS

LAYERS = ("self", "reviewer", "final")


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


def _detail_context(
    user: User, scope: Scope, a: Assessment, queue: str = "", **forms: Any
) -> dict[str, Any]:
    definition = a.scheme.parsed
    roles = scope.roles_at(a.unit.path)
    layer = editable_layer(a, roles)
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
    evidence = list(a.evidence.all())
    basis = basis_layer(a.state) if layer is None else layer
    basis_values = basis_scores(a, basis)
    preview = score_preview(definition, basis_values)
    fields = {f.name: f for f in scores_form if not f.is_hidden} if scores_form else {}
    return {
        "assessment": a,
        "definition": definition,
        "group_label": group_label(definition, a.group),
        "rows": indicator_rows(
            a, editing=layer, form_fields=fields, evidence=evidence, failing=preview["failing"]
        ),
        "layer": layer,
        "layer_labels": LAYER_LABELS,
        "below": BELOW.get(layer or ""),
        "basis": basis,
        "scores_form": scores_form,
        "steps": next_steps(a, roles),
        "save_then": _save_then(a, layer, roles),
        "queue": queue,
        "action_form": forms.get("action_form") or ActionForm(initial={"version": a.version}),
        "evidence_form": forms.get("evidence_form")
        or EvidenceForm(codes=definition.indicator_codes),
        "evidence": evidence,
        "learning": attendance_evidence(scope=scope, assessment=a),
        "events": [
            (e, event_label(e.action))
            for e in a.events.select_related("actor").order_by("at", "pk")
        ],
        "preview": preview,
        # What the next step rests on, indicator by indicator, beside its button.
        "strip": [
            (code, str(basis_values.get(code, "—")).replace(".", ","), code in preview["failing"])
            for code in definition.indicator_codes
        ],
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


@require_safe
@login_required
def detail_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Show an assessment: scores by layer, the form the user may fill, evidence, history."""
    user, scope, a = _get(request, assessment_id)
    context = _detail_context(user, scope, a, queue=_queue_of(request))
    return render(request, "assessments/detail.html", context)


def _queue_of(request: HttpRequest) -> str:
    """Return the queue the page was opened from, as its filter's query string."""
    raw = request.GET.get("q") or request.POST.get("q") or ""
    return AssessmentFilter.from_query(QueryDict(raw)).as_query()


@require_POST
@login_required
def preview_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Return the running total and đạt / chưa đạt for the scores typed so far (HTMX)."""
    _user, scope, a = _get(request, assessment_id)
    return preview_response(request, a, editable_layer(a, scope.roles_at(a.unit.path)) or "self")


def preview_response(request: HttpRequest, a: Assessment, layer: str = "self") -> HttpResponse:
    """Render the running total for the scores posted so far, skipping unusable values.

    Blanks of a reviewer's or decider's layer count with the layer below, as accepting would.
    """
    scores = {}
    for indicator in a.scheme.parsed.indicators:
        value = parse_score(request.POST.get(indicator.code, ""))
        if value is not None and 0 <= value <= indicator.max:
            scores[indicator.code] = str(value)
    below = BELOW.get(layer)
    shown = {**(basis_scores(a, below) if below else {}), **scores}
    context = {"preview": score_preview(a.scheme.parsed, shown)}
    return render(request, "assessments/partials/preview.html", context)


@require_POST
@login_required
def scores_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Save the scores of the layer the user may write now.

    A button "accept" naming an indicator takes the layer below's score for it, as shown.
    """
    user, scope, a = _get(request, assessment_id)
    layer = editable_layer(a, scope.roles_at(a.unit.path))
    form = ScoresForm(request.POST, definition=a.scheme.parsed, initial_scores={}, group=a.group)
    if layer is None or not form.is_valid():
        messages.error(request, _("The scores were not saved; each problem is shown below."))
        context = _detail_context(user, scope, a, queue=_queue_of(request), scores_form=form)
        return render(request, "assessments/detail.html", context, status=400)
    scores = form.scores()
    accepted = request.POST.get("accept", "")
    below = BELOW.get(layer)
    took = [accepted] if below and accepted in a.scores(below) else []
    if took:
        scores[accepted] = a.scores(below or "")[accepted]
    queue = _queue_of(request)
    try:
        saved = assessment_scores_set(
            user=user,
            assessment_id=a.pk,
            layer=layer,
            scores=scores,
            version=form.cleaned_data["version"],
            accepted=took,
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_message(error))
        return _to_detail(a, queue)
    then = _THEN.get((layer, request.POST.get("then", "")))
    if then is None or took:
        messages.success(request, _("Scores saved."))
        return _to_detail(a, queue)
    return _take_steps(request, user, scope, saved, then, queue, version=saved.version)


# "Save and …" buttons: the steps that follow saving a layer, all taken or none.
_THEN = {
    ("self", "submit"): (Action.SELF_ASSESS, Action.SUBMIT),
    ("reviewer", "review"): (Action.REVIEW,),
}


def _save_then(a: Assessment, layer: str | None, roles: frozenset[str]) -> str:
    """Return the step a "Save and …" button may add for this user now, if any."""
    if layer == "self" and roles & TRANSITIONS[(State.SELF_ASSESSED, Action.SUBMIT)].roles:
        return "submit"
    if (
        layer == "reviewer"
        and a.state == State.SUBMITTED
        and roles & TRANSITIONS[(State.SUBMITTED, Action.REVIEW)].roles
    ):
        return "review"
    return ""


def _take_steps(
    request: HttpRequest,
    user: User,
    scope: Scope,
    a: Assessment,
    steps: tuple[Action, ...],
    queue: str,
    *,
    version: int,
    **options: Any,
) -> HttpResponse:
    """Take workflow steps in one transaction, then go on to the next person of the queue.

    The first step is checked against the version the user saw; each next one follows it.
    """
    try:
        with transaction.atomic():
            done = a
            for step in steps:
                if step is Action.SELF_ASSESS and done.state not in LAYER_STATES["self"]:
                    continue
                done = assessment_transition(
                    user=user, assessment_id=a.pk, action=step, version=version, **options
                )
                version = done.version
    except (DomainError, ValidationError) as error:
        messages.error(request, error_message(error))
        return _to_detail(a, queue)
    messages.success(
        request,
        _("Moved %(name)s to “%(state)s”.")
        % {"name": done.citizen or done.unit, "state": done.get_state_display()},
    )
    following = (
        assessment_next(user=user, filters=_queue_filter(queue), after=a, scope=scope)
        if queue
        else None
    )
    return _to_detail(following or a, queue)


def _to_detail(a: Assessment, queue: str) -> HttpResponse:
    url = reverse("assessments:detail", args=[a.pk])
    return redirect(f"{url}?{urlencode({'q': queue})}" if queue else url)


def error_message(error: DomainError | ValidationError) -> str:
    return error.message if isinstance(error, DomainError) else " ".join(error.messages)


@require_POST
@login_required
def act_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Take a workflow action, then go on to the next person of the queue it came from."""
    user, scope, a = _get(request, assessment_id)
    queue = _queue_of(request)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The action was not taken; check the form."))
        return _to_detail(a, queue)
    data = form.cleaned_data
    decision = None
    if data["decision_number"] and data["decision_date"]:
        decision = DecisionInput(
            number=data["decision_number"], date=data["decision_date"], body=data["decision_body"]
        )
    try:
        step = Action(data["action"])
    except ValueError:
        messages.error(request, _("The action was not taken; check the form."))
        return _to_detail(a, queue)
    return _take_steps(
        request,
        user,
        scope,
        a,
        (step,),
        queue,
        version=data["version"],
        reason=data["reason"],
        decision=decision,
        accept=data["accept"],
    )


def _queue_filter(queue: str) -> AssessmentFilter:
    return AssessmentFilter.from_query(QueryDict(queue))


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

"""The review queue: one list selector for every filter, and deciding many at once."""

from dataclasses import replace
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from hoctap.accounts.scoping import scope_for
from hoctap.assessments.forms import ActionForm
from hoctap.assessments.models import Assessment, Period, State
from hoctap.assessments.periods import period_scheme
from hoctap.assessments.presenting import basis_scores, score_preview
from hoctap.assessments.selectors import (
    QUEUE_ORDER,
    AssessmentFilter,
    assessment_filtered,
    assessment_list,
    enrolment_units,
    unit_code_of,
)
from hoctap.assessments.services import DecisionInput, assessment_transition
from hoctap.assessments.views import error_message
from hoctap.assessments.workflow import TRANSITIONS, Action
from hoctap.core.errors import DomainError, NotFound
from hoctap.core.http import authenticated_user
from hoctap.schemes.models import SubjectType

DECIDERS = TRANSITIONS[(State.BRANCH_REVIEWED, Action.DECIDE)].roles


@require_safe
@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    """List the assessments in scope: a period, a unit's whole subtree, a group, a state."""
    user = authenticated_user(request)
    scope = scope_for(user)
    periods = list(Period.objects.order_by("-starts_on"))
    asked = AssessmentFilter.from_query(request.GET)
    unit = unit_code_of(asked.unit)
    filters = replace(asked, period=asked.period or (periods[0].code if periods else ""), unit=unit)
    try:
        rows = assessment_filtered(user=user, filters=filters, scope=scope)
    except NotFound:
        raise Http404 from None
    rows = rows.select_related("citizen").order_by(*QUEUE_ORDER)
    page = Paginator(rows, settings.HOCTAP_PAGE_SIZE).get_page(request.GET.get("page"))
    period = next((p for p in periods if p.code == filters.period), None)
    # Decide many at once: offered on the reviewed list to those who may decide.
    bulk = filters.state == State.BRANCH_REVIEWED and bool(scope.roles & DECIDERS)
    context = {
        "page": page,
        "rows": [(a, _bulk_preview(a) if bulk else None) for a in page],
        "periods": periods,
        "period": filters.period,
        "filters": filters,
        "query": filters.as_query(),
        "states": State.choices,
        "units": enrolment_units(user=user, period=period, scope=scope, every_kind=True)
        if period
        else [],
        "groups": _groups_of(period),
        "bulk": bulk,
    }
    return render(request, "assessments/queue.html", context)


def _bulk_preview(a: Assessment) -> dict[str, Any]:
    """Return the total and result a decision of `a` would take: its branch's scores."""
    return score_preview(a.scheme.parsed, basis_scores(a, "final"))


def _groups_of(period: Period | None) -> list[tuple[str, str]]:
    if period is None:
        return []
    try:
        groups = period_scheme(period, SubjectType.CITIZEN).parsed.groups
    except ValidationError:
        return []
    return [(g.code, f"{g.label} ({g.code})") for g in groups]


@require_POST
@login_required
def bulk_decide_view(request: HttpRequest) -> HttpResponse:
    """Decide the ticked reviewed assessments at once, all or none, with their branch's scores.

    The list showed each one's total and result from the branch's scores, so those are what
    the decision takes (accepted, and recorded as such in each history).
    """
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
    chosen = list(assessment_list(user=user).filter(pk__in=ids).order_by(*QUEUE_ORDER))
    if not chosen:
        messages.error(request, _("Tick the assessments to decide first."))
        return _back_to_queue(request)
    try:
        with transaction.atomic():
            for assessment in chosen:
                assessment_transition(
                    user=user,
                    assessment_id=assessment.pk,
                    action="decide",
                    version=assessment.version,
                    decision=decision,
                    accept="reviewer",
                )
    except (DomainError, ValidationError) as error:
        messages.error(
            request,
            _("Nothing was decided: %(name)s: %(reason)s")
            % {"name": assessment.citizen or assessment.unit, "reason": error_message(error)},
        )
    else:
        messages.success(
            request,
            ngettext("%(n)d assessment decided.", "%(n)d assessments decided.", len(chosen))
            % {"n": len(chosen)},
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

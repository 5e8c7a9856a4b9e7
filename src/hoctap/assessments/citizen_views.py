"""Citizen self-service pages: open one's own assessment with an access code, no account.

The code arrives typed into /self/ or inside the printed QR link /self/<code>. Once checked it
is kept in the session (never again in a URL) and checked anew on every request, so a code
that ends (submitted, replaced, expired) stops working at once.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hoctap.assessments.access import (
    CitizenAccess,
    access_check,
    access_code_issue,
    access_code_open,
    code_display,
)
from hoctap.assessments.forms import ActionForm, EvidenceForm, ScoresForm
from hoctap.assessments.models import Assessment, State
from hoctap.assessments.presenting import score_preview
from hoctap.assessments.services import assessment_scores_set, assessment_transition
from hoctap.assessments.views import error_message, evidence_from_form, preview_response
from hoctap.assessments.workflow import CITIZEN, allowed_actions
from hoctap.core.errors import DomainError, NotFound
from hoctap.core.http import authenticated_user
from hoctap.core.ratelimit import client_address

SESSION_KEY = "citizen_access"


def _session_access(request: HttpRequest) -> CitizenAccess | None:
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    try:
        return CitizenAccess(assessment_id=UUID(held["a"]), code_id=int(held["c"]))
    except (KeyError, TypeError, ValueError):
        return None


def _current(request: HttpRequest) -> tuple[CitizenAccess, Assessment] | None:
    """Return the access held in the session and its assessment while the code is usable."""
    access = _session_access(request)
    if access is None:
        return None
    try:
        return access, access_check(access)
    except NotFound:
        request.session.pop(SESSION_KEY, None)
        return None


CitizenView = Callable[[HttpRequest, CitizenAccess, Assessment], HttpResponse]


def with_access(view: CitizenView) -> Callable[[HttpRequest], HttpResponse]:
    """Run `view` with the access held in the session, or say the code has ended."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        current = _current(request)
        if current is None:
            return _gone(request)
        return view(request, *current)

    return wrapped


def _enter(request: HttpRequest, code: str) -> HttpResponse:
    try:
        access = access_code_open(code=code, client=client_address(request))
    except DomainError as error:
        context = {"error": error.message}
        return render(request, "assessments/self_service_enter.html", context, status=error.status)
    # A new session key: whoever planted a session id before cannot ride on this one.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"a": str(access.assessment_id), "c": access.code_id}
    return redirect("self_service:assessment")


@never_cache
@require_http_methods(["GET", "POST"])
def enter_view(request: HttpRequest) -> HttpResponse:
    """Ask for the code printed on the citizen's card."""
    if request.method == "POST":
        return _enter(request, request.POST.get("code", ""))
    return render(request, "assessments/self_service_enter.html", {})


@never_cache
@require_safe
def open_view(request: HttpRequest, code: str) -> HttpResponse:
    """Open the assessment from the QR link; the code leaves the address bar at once."""
    return _enter(request, code)


def _context(access: CitizenAccess, a: Assessment, **forms: Any) -> dict[str, Any]:
    definition = a.scheme.parsed
    return {
        "assessment": a,
        "definition": definition,
        "scores_form": forms.get("scores_form")
        or ScoresForm(
            definition=definition,
            initial_scores=a.self_scores,
            group=a.group,
            initial={"version": a.version},
        ),
        "evidence_form": forms.get("evidence_form")
        or EvidenceForm(codes=definition.indicator_codes),
        "evidence": a.evidence.all(),
        "actions": [x.value for x in allowed_actions(State(a.state), frozenset({CITIZEN}))],
        "preview": score_preview(a.scheme.parsed, a.self_scores),
    }


def _gone(request: HttpRequest) -> HttpResponse:
    context = {"error": _("This code has ended. Ask your association for a new one.")}
    return render(request, "assessments/self_service_enter.html", context, status=404)


@never_cache
@require_safe
@with_access
def assessment_view(request: HttpRequest, access: CitizenAccess, a: Assessment) -> HttpResponse:
    """Show the citizen's own self-assessment: each indicator with its guidance and evidence."""
    return render(request, "assessments/self_service.html", _context(access, a))


@require_POST
@with_access
def preview_view(request: HttpRequest, _access: CitizenAccess, a: Assessment) -> HttpResponse:
    """Return the running total and đạt / chưa đạt for the scores typed so far (HTMX)."""
    return preview_response(request, a)


@require_POST
@with_access
def scores_view(request: HttpRequest, access: CitizenAccess, a: Assessment) -> HttpResponse:
    """Save the citizen's self-assessment scores."""
    form = ScoresForm(request.POST, definition=a.scheme.parsed, initial_scores={}, group=a.group)
    if not form.is_valid():
        messages.error(request, _("The scores were not saved; check the values."))
        context = _context(access, a, scores_form=form)
        return render(request, "assessments/self_service.html", context, status=400)
    try:
        assessment_scores_set(
            user=access,
            assessment_id=a.pk,
            layer="self",
            scores=form.scores(),
            version=form.cleaned_data["version"],
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Scores saved."))
    return redirect("self_service:assessment")


@require_POST
@with_access
def act_view(request: HttpRequest, access: CitizenAccess, a: Assessment) -> HttpResponse:
    """Finish the self-assessment, or submit it to the branch (which ends the code)."""
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The action was not taken; check the form."))
        return redirect("self_service:assessment")
    try:
        done = assessment_transition(
            user=access,
            assessment_id=a.pk,
            action=form.cleaned_data["action"],
            version=form.cleaned_data["version"],
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_message(error))
        return redirect("self_service:assessment")
    if _current(request) is None:
        # Submitted: the code has ended; say so and keep nothing in the session.
        request.session.flush()
        return render(request, "assessments/self_service_done.html", {"assessment": done})
    messages.success(request, _("Done."))
    return redirect("self_service:assessment")


@require_POST
@with_access
def evidence_view(request: HttpRequest, access: CitizenAccess, a: Assessment) -> HttpResponse:
    """Attach a photo or a PDF taken by the citizen."""
    evidence_from_form(request, access, a)
    return redirect("self_service:assessment")


@require_POST
def leave_view(request: HttpRequest) -> HttpResponse:
    """Forget the code on this device (a shared phone)."""
    request.session.flush()
    return redirect("self_service:enter")


@require_POST
@login_required
def access_code_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Issue a code for an assessment and render its printable card with the QR link.

    The code is shown on this response only; printing again means issuing a new code.
    """
    user = authenticated_user(request)
    try:
        issued, code = access_code_issue(user=user, assessment_id=assessment_id)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("assessments:detail", assessment_id=assessment_id)
    link = request.build_absolute_uri(reverse("self_service:open", args=[code]))
    qr = segno.make(link, error="m")
    context = {
        "assessment": issued.assessment,
        "code": code_display(code),
        "link": link,
        "entry": request.build_absolute_uri(reverse("self_service:enter")),
        "qr": qr.svg_inline(scale=5, omitsize=True, title=_("QR code of the self-assessment link")),
        "expires_at": issued.expires_at,
    }
    response = render(request, "assessments/access_card.html", context)
    response["Cache-Control"] = "no-store"
    return response

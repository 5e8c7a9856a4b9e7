"""The signed-in user's start page: roles, what awaits them, progress of their area."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from hoctap.accounts.models import RoleAssignment
from hoctap.accounts.passwords import RESETTING_ROLES
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Period, State
from hoctap.assessments.selectors import assessment_state_counts
from hoctap.assessments.workflow import TRANSITIONS, Action
from hoctap.core.http import authenticated_user
from hoctap.transfer.models import ImportJob

FORWARD = {Action.SELF_ASSESS, Action.SUBMIT, Action.REVIEW, Action.DECIDE}


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the roles the user holds today, the work waiting for them and their imports."""
    user = authenticated_user(request)
    scope = scope_for(user)
    assignments = (
        RoleAssignment.objects.valid_on(timezone.localdate())
        .filter(user=user)
        .select_related("unit")
        .order_by("unit__path")
    )
    period = Period.objects.order_by("-starts_on").first()
    counts = (
        assessment_state_counts(user=user, period_code=period.code, scope=scope) if period else {}
    )
    # A state waits for this user when the table lets one of their roles move it forward.
    actionable = {
        state
        for (state, action), t in TRANSITIONS.items()
        if action in FORWARD and scope.roles & t.roles
    }
    states = [
        {"code": code, "label": label, "n": counts.get(code, 0), "mine": code in actionable}
        for code, label in State.choices
    ]
    total = sum(counts.values())
    decided = counts.get(State.DECIDED, 0)
    context = {
        "assignments": assignments,
        "period": period,
        "states": states,
        "total": total,
        "decided": decided,
        "progress": round(100 * decided / total) if total else 0,
        "jobs": ImportJob.objects.filter(user=user).select_related("period")[:5],
        "may_reset": scope.everything or bool(scope.roles & RESETTING_ROLES),
    }
    return render(request, "accounts/home.html", context)

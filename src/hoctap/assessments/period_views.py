"""The period pages: which communes still have open assessments, and closing a commune."""

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from hoctap.accounts.scoping import Scope, scope_for
from hoctap.assessments.models import Assessment, Period, PeriodClosure
from hoctap.assessments.periods import _CLOSING_ROLES, _OPEN_STATES, period_close, period_get
from hoctap.core.errors import DomainError
from hoctap.core.http import authenticated_user
from hoctap.organisation.models import Unit, UnitKind
from hoctap.organisation.selectors import unit_resolve_between

# _OPEN_STATES and _CLOSING_ROLES are the service's own: the page offers what it accepts.


def _period(code: str) -> Period:
    try:
        return period_get(code)
    except ValidationError:
        raise Http404 from None


def _communes(scope: Scope, period: Period) -> QuerySet[Unit]:
    """Return the communes in scope that were in force during the period, by name."""
    communes = Unit.objects.filter(kind=UnitKind.COMMUNE).during(period.starts_on, period.ends_on)
    return scope.filter(communes, "").order_by("name", "valid_from")


def _open_counts(scope: Scope, period: Period, communes: list[Unit]) -> dict[int, int]:
    """Count open assessments below each commune with one grouped query."""
    if not communes:
        return {}
    within = Q()
    for commune in communes:
        within |= Q(unit__path__startswith=commune.path)
    rows = (
        scope.filter(Assessment.objects.filter(within, period=period), "unit")
        .filter(state__in=_OPEN_STATES)
        .values("unit__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_path = {c.path: c.pk for c in communes}
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        for path, pk in by_path.items():
            if row["unit__path"].startswith(path):
                counts[pk] += row["n"]
    return counts


@require_safe
@login_required
def period_list_view(request: HttpRequest) -> HttpResponse:
    """List the periods, newest first."""
    authenticated_user(request)
    periods = Period.objects.order_by("-starts_on")
    return render(request, "assessments/periods.html", {"periods": periods})


@require_safe
@login_required
def period_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    """Show each commune of the viewer's area: open assessments, closure, a close button."""
    user = authenticated_user(request)
    scope = scope_for(user)
    period = _period(code)
    page = Paginator(_communes(scope, period), settings.HOCTAP_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    communes = list(page)
    counts = _open_counts(scope, period, communes)
    closures = {
        c.unit_id: c
        for c in PeriodClosure.objects.filter(period=period, unit__in=communes).select_related(
            "closed_by"
        )
    }
    rows = [
        {
            "unit": c,
            "open": counts.get(c.pk, 0),
            "closure": closures.get(c.pk),
            "may_close": bool(scope.roles_at(c.path) & _CLOSING_ROLES),
        }
        for c in communes
    ]
    context = {"period": period, "page": page, "rows": rows}
    return render(request, "assessments/period_detail.html", context)


@require_POST
@login_required
def period_close_view(request: HttpRequest, code: str) -> HttpResponse:
    """Close the period for one commune (?unit= code) through the period_close service."""
    user = authenticated_user(request)
    period = _period(code)
    try:
        commune = unit_resolve_between(
            code=request.POST.get("unit", ""), starts_on=period.starts_on, ends_on=period.ends_on
        )
    except ValidationError:
        raise Http404 from None
    if not scope_for(user).covers_path(commune.path):
        raise Http404
    try:
        period_close(user=user, period=period, unit=commune)
    except DomainError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Period %(period)s is closed for %(unit)s.")
            % {"period": period.code, "unit": commune.name},
        )
    return redirect("periods:detail", code=period.code)

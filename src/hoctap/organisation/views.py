"""Browsing the units of the viewer's area as the tree stood on a chosen day."""

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from hoctap.accounts.scoping import Scope, scope_for
from hoctap.assessments.models import Period
from hoctap.core.http import authenticated_user
from hoctap.organisation.forms import DayForm
from hoctap.organisation.models import Unit, UnitSuccession
from hoctap.organisation.selectors import unit_ancestors, unit_children, unit_resolve, unit_tops
from hoctap.reports.model import Counts
from hoctap.reports.progress import unit_progress


def _day(request: HttpRequest) -> tuple[DayForm, date | None]:
    """Read ?on=; return the form and the day, or None when the date cannot be read."""
    form = DayForm(request.GET)
    if not form.is_valid():
        return form, None
    day: date | None = form.cleaned_data["on"]
    return form, day or _default_day()


def _default_day() -> date:
    """Today, or the last day of the latest period when that is over: the tree it counted."""
    today = timezone.localdate()
    latest = Period.objects.order_by("-starts_on").values_list("ends_on", flat=True).first()
    return min(today, latest) if latest else today


def _progress(units: list[Unit]) -> tuple[Period | None, dict[int, Counts]]:
    """Return the latest period and each unit's counts in it."""
    period = Period.objects.order_by("-starts_on").first()
    if period is None:
        return None, {}
    return period, unit_progress(period=period, units=units)


@require_safe
@login_required
def unit_list_view(request: HttpRequest) -> HttpResponse:
    """List the outermost units of the viewer's area in force on ?on= (see `_default_day`)."""
    user = authenticated_user(request)
    form, day = _day(request)
    if day is None:
        return render(request, "organisation/units.html", {"form": form, "day": None}, status=400)
    tops = unit_tops(scope=scope_for(user), on=day)
    period, counts = _progress(tops)
    rows = [{"unit": u, "counts": counts.get(u.pk)} for u in tops]
    context = {"form": form, "day": day, "period": period, "rows": rows}
    return render(request, "organisation/units.html", context)


@require_safe
@login_required
def unit_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    """Show one unit on ?on=: its facts, successions and children with their progress."""
    user = authenticated_user(request)
    form, day = _day(request)
    if day is None:
        context: dict[str, Any] = {"form": form, "day": None, "code": code}
        return render(request, "organisation/unit_detail.html", context, status=400)
    scope = scope_for(user)
    try:
        unit = unit_resolve(code=code, on=day)
    except ValidationError:
        raise Http404 from None
    # Outside the area looks the same as a code nobody carries that day.
    if not scope.covers_path(unit.path):
        raise Http404
    children = list(unit_children(unit=unit, on=day))
    period, counts = _progress([unit, *children])
    context = {
        "form": form,
        "day": day,
        "unit": unit,
        "ancestors": [a for a in unit_ancestors(unit=unit) if scope.covers_path(a.path)],
        "predecessors": _links(scope, unit.predecessions.all(), "predecessor"),
        "successors": _links(scope, unit.successions.all(), "successor"),
        "period": period,
        "own": counts.get(unit.pk),
        "rows": [{"unit": u, "counts": counts.get(u.pk)} for u in children],
    }
    return render(request, "organisation/unit_detail.html", context)


def _links(scope: Scope, edges: QuerySet[UnitSuccession], side: str) -> list[dict[str, Any]]:
    """Describe successions with a day on which the unit at the other end was in force."""
    rows = []
    for edge in edges.select_related(side).order_by("effective_date"):
        other: Unit = getattr(edge, side)
        rows.append(
            {
                "edge": edge,
                "unit": other,
                # A predecessor has ended: show it on its last day, a successor on its first.
                "on": other.valid_to or other.valid_from,
                "visible": scope.covers_path(other.path),
            }
        )
    return rows

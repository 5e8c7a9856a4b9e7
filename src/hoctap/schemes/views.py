"""The candidates page: households and learning units proposed for a sibling title."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Period
from hoctap.core.errors import NotFound
from hoctap.core.http import authenticated_user
from hoctap.organisation.selectors import unit_resolve_between
from hoctap.schemes.candidates import family_candidates, learning_unit_candidates


@require_safe
@login_required
def candidates_view(request: HttpRequest, period: str, code: str) -> HttpResponse:
    """List the candidates of a unit's subtree in a period, for a human decision."""
    user = authenticated_user(request)
    try:
        found = Period.objects.get(code=period)
        unit = unit_resolve_between(code=code, starts_on=found.starts_on, ends_on=found.ends_on)
        families = family_candidates(user=user, period=found, unit=unit)
        units = learning_unit_candidates(user=user, period=found, unit=unit)
    # Outside the area looks the same as a unit or period that does not exist.
    except (Period.DoesNotExist, ValidationError, NotFound):
        raise Http404 from None
    # Registering is done by hoctap.recognition, which builds on the schemes: imported here.
    from hoctap.recognition.titles import REGISTRARS

    may_register = bool(scope_for(user).roles_at(unit.path) & REGISTRARS)
    context = {
        "period": found,
        "unit": unit,
        "lists": [families, units],
        "may_register": may_register,
    }
    return render(request, "schemes/candidates.html", context)

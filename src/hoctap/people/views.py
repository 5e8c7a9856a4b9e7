"""Pages listing and showing citizens and households within the viewer's scope."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from hoctap.accounts.scoping import scope_for
from hoctap.assessments.selectors import assessment_list
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.http import authenticated_user
from hoctap.people.forms import ConsentForm, RequestForm
from hoctap.people.models import Citizen, Household
from hoctap.people.selectors import citizen_get, citizen_list, household_get, household_list


@require_safe
@login_required
def citizen_list_view(request: HttpRequest) -> HttpResponse:
    """List citizens in scope, searched without regard to accents."""
    user = authenticated_user(request)
    query = request.GET.get("q", "").strip()
    citizens = citizen_list(user=user, query=query)
    page = Paginator(citizens, settings.HOCTAP_PAGE_SIZE).get_page(request.GET.get("page"))
    # The list shows each person's ethnicity (sensitive data): who saw which rows is recorded.
    access_log_record(
        user=user,
        action=AccessAction.SEARCH if query else AccessAction.VIEW,
        object_type="citizen_list",
        detail={"q_len": len(query), "page": page.number, "shown": [c.pk for c in page]},
    )
    return render(request, "people/citizen_list.html", {"page": page, "query": query})


@require_safe
@login_required
def citizen_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one citizen; the view is recorded in the access log."""
    user = authenticated_user(request)
    try:
        citizen = citizen_get(user=user, pk=pk)
    except Citizen.DoesNotExist:
        raise Http404 from None
    access_log_record(user=user, action=AccessAction.VIEW, object_type="citizen", object_id=pk)
    context = {
        "citizen": citizen,
        "consents": citizen.consents.order_by("-given_at"),
        "requests": citizen.data_requests.all(),
        "consent_form": ConsentForm(),
        "request_form": RequestForm(),
        "notice_version": settings.HOCTAP_PRIVACY_NOTICE_VERSION,
    }
    return render(request, "people/citizen_detail.html", context)


@require_safe
@login_required
def household_list_view(request: HttpRequest) -> HttpResponse:
    """List households in scope, searched by code or a member's name without regard to accents."""
    user = authenticated_user(request)
    query = request.GET.get("q", "").strip()
    households = household_list(user=user, query=query)
    page = Paginator(households, settings.HOCTAP_PAGE_SIZE).get_page(request.GET.get("page"))
    if query:
        access_log_record(
            user=user,
            action=AccessAction.SEARCH,
            object_type="household",
            detail={"q_len": len(query)},
        )
    return render(request, "people/household_list.html", {"page": page, "query": query})


@require_safe
@login_required
def household_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a household's members and their assessments; the view is recorded in the log."""
    user = authenticated_user(request)
    scope = scope_for(user)
    try:
        household = household_get(user=user, pk=pk, scope=scope)
    except Household.DoesNotExist:
        raise Http404 from None
    assessments = assessment_list(user=user, scope=scope).order_by("period__starts_on")
    members = (
        citizen_list(user=user, scope=scope)
        .filter(household=household)
        .prefetch_related(Prefetch("assessments", queryset=assessments, to_attr="in_scope"))
    )
    access_log_record(user=user, action=AccessAction.VIEW, object_type="household", object_id=pk)
    context = {"household": household, "members": members}
    return render(request, "people/household_detail.html", context)

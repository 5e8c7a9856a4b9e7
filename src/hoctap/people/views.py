"""Pages listing, showing and exporting citizens within the viewer's scope."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.http import authenticated_user
from hoctap.people.models import Citizen
from hoctap.people.selectors import citizen_get, citizen_list


@require_safe
@login_required
def citizen_list_view(request: HttpRequest) -> HttpResponse:
    """List citizens in scope, searched without regard to accents."""
    user = authenticated_user(request)
    query = request.GET.get("q", "").strip()
    citizens = citizen_list(user=user, query=query)
    page = Paginator(citizens, settings.HOCTAP_PAGE_SIZE).get_page(request.GET.get("page"))
    if query:
        access_log_record(
            user=user,
            action=AccessAction.SEARCH,
            object_type="citizen",
            detail={"q_len": len(query)},
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
    return render(request, "people/citizen_detail.html", {"citizen": citizen})

"""Pages of the learning centres: centres, a centre, a course, a session's attendance sheet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from hoctap.accounts.scoping import scope_for
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import Forbidden, NotFound
from hoctap.core.http import authenticated_user
from hoctap.learning.selectors import (
    centre_get,
    centre_list,
    course_get,
    course_sessions,
    may_manage,
    may_manage_any,
    present_ids,
    session_get,
    sheet_people,
)
from hoctap.learning.services import attendance_record

SHEET_LIMIT = 300


@require_safe
@login_required
def centre_list_view(request: HttpRequest) -> HttpResponse:
    """List the learning centres of the communes in the viewer's area."""
    user = authenticated_user(request)
    context = {
        "centres": centre_list(user=user),
        "may_add": may_manage_any(scope=scope_for(user)),
    }
    return render(request, "learning/centre_list.html", context)


@require_safe
@login_required
def centre_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a centre with its courses."""
    user = authenticated_user(request)
    try:
        centre = centre_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    context = {
        "centre": centre,
        "courses": centre.courses.order_by("-starts_on", "pk"),
        "may_manage": may_manage(scope=scope_for(user), unit=centre.unit),
    }
    return render(request, "learning/centre_detail.html", context)


@require_safe
@login_required
def course_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a course with its sessions and how many attended each."""
    user = authenticated_user(request)
    try:
        course = course_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    context = {
        "course": course,
        "sessions": course_sessions(course=course),
        "may_manage": may_manage(scope=scope_for(user), unit=course.centre.unit),
    }
    return render(request, "learning/course_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def sheet_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a session's attendance sheet (the commune's people); POST records who came."""
    user = authenticated_user(request)
    try:
        session = session_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    error = ""
    if request.method == "POST":
        try:
            ids = [int(v) for v in request.POST.getlist("citizen")]
            if not ids:
                raise ValidationError(_("Tick at least one person who attended."))
            added = attendance_record(user=user, session=session, citizen_ids=ids)
        except ValueError:
            error = _("The list sent is not valid; reload the page and try again.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except Forbidden:
            raise PermissionDenied from None
        else:
            messages.success(
                request,
                ngettext(
                    "Recorded %(n)d person as present.", "Recorded %(n)d people as present.", added
                )
                % {"n": added},
            )
            return redirect("learning:sheet", pk=session.pk)
    query = request.POST.get("q", "") or request.GET.get("q", "")
    people = list(sheet_people(session=session, query=query.strip())[:SHEET_LIMIT])
    # The sheet lists people of the commune: who saw which rows is recorded.
    access_log_record(
        user=user,
        action=AccessAction.SEARCH if query else AccessAction.VIEW,
        object_type="attendance_sheet",
        object_id=session.pk,
        detail={"q_len": len(query), "shown": [p.pk for p in people]},
    )
    context = {
        "session": session,
        "people": people,
        "present": present_ids(session=session),
        "query": query,
        "error": error,
        "limited": len(people) == SHEET_LIMIT,
    }
    partial = request.headers.get("HX-Request") == "true" and request.method == "GET"
    template = "learning/partials/sheet_people.html" if partial else "learning/sheet.html"
    return render(request, template, context, status=400 if error else 200)

"""The import page: upload, see every problem or what will change, confirm, follow progress."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Period
from hoctap.assessments.selectors import enrolment_units, unit_code_of
from hoctap.core.errors import Forbidden
from hoctap.core.http import authenticated_user
from hoctap.organisation.models import Unit
from hoctap.people.models import ConsentMethod
from hoctap.transfer.forms import ImportForm
from hoctap.transfer.jobs import job_check, job_confirm
from hoctap.transfer.models import ImportJob
from hoctap.transfer.template import template_xlsx


def _own_job(request: HttpRequest, job_id: UUID) -> ImportJob:
    """Return a job of the signed-in user; anyone else's is not found."""
    user = authenticated_user(request)
    job = ImportJob.objects.select_related("period").filter(pk=job_id, user=user).first()
    if job is None:
        raise Http404
    return job


@require_http_methods(["GET", "POST"])
@login_required
def imports_view(request: HttpRequest) -> HttpResponse:
    """Show the upload form and the user's recent imports; a POST checks the file."""
    user = authenticated_user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = job_check(
                user=user,
                period=form.cleaned_data["period"],
                upload=form.cleaned_data["file"],
                target_state=form.cleaned_data["target_state"],
            )
        except Forbidden as refused:
            form.add_error("target_state", refused.message)
        else:
            return redirect("imports:detail", job_id=job.pk)
    jobs = ImportJob.objects.filter(user=user).select_related("period")[:10]
    periods = list(Period.objects.order_by("-starts_on"))
    units = enrolment_units(user=user, period=periods[0], every_kind=True) if periods else []
    context = {"form": form, "jobs": jobs, "periods": periods, "units": units}
    return render(request, "transfer/imports.html", context)


@require_safe
@login_required
def template_view(request: HttpRequest) -> HttpResponse:
    """Send the import template of a period for a unit of the user's area (the top by default)."""
    user = authenticated_user(request)
    scope = scope_for(user)
    period = Period.objects.filter(code=request.GET.get("period", "")).first()
    if period is None:
        raise Http404
    code = unit_code_of(request.GET.get("unit", ""))
    units = Unit.objects.during(period.starts_on, period.ends_on)
    if code:
        units = units.filter(code=code)
    candidates = scope.filter(units, "").order_by("depth", "-valid_from")
    unit = candidates.first()
    if unit is None:
        raise Http404
    response = HttpResponse(
        template_xlsx(period, unit),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=True, filename=f"mau-nhap-{period.code}-{unit.code}.xlsx"
        )
        or "attachment"
    )
    return response


@require_safe
@login_required
def import_detail(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Show the check's errors, or what the import will do, and the confirm button."""
    return render(request, "transfer/import_detail.html", {"job": _own_job(request, job_id)})


@require_safe
@login_required
def import_status(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Return the status fragment that the page polls while a background import runs."""
    return render(
        request, "transfer/partials/import_status.html", {"job": _own_job(request, job_id)}
    )


@require_POST
@login_required
def import_confirm(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Start the import of a checked file, once the officer confirms the people's consent."""
    job = _own_job(request, job_id)
    # The page asks for the signed paper forms: ticking the box says the officer holds them.
    consent = ConsentMethod.PAPER if request.POST.get("consent") else None
    try:
        job_confirm(user=authenticated_user(request), job=job, consent=consent)
    except Forbidden as error:
        # Already started, failed or with errors: say so on the job's own page.
        messages.error(request, error.message)
    return redirect("imports:detail", job_id=job.pk)

"""The import page: upload, see every problem or what will change, confirm, follow progress."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hoctap.core.errors import Forbidden
from hoctap.core.http import authenticated_user
from hoctap.transfer.forms import ImportForm
from hoctap.transfer.jobs import job_check, job_confirm
from hoctap.transfer.models import ImportJob


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
    return render(request, "transfer/imports.html", {"form": form, "jobs": jobs})


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
    """Start the import of a checked file."""
    job = _own_job(request, job_id)
    try:
        job_confirm(user=authenticated_user(request), job=job)
    except Forbidden as error:
        # Already started, failed or with errors: say so on the job's own page.
        messages.error(request, error.message)
    return redirect("imports:detail", job_id=job.pk)

"""Downloads of people and assessments within the viewer's scope (each one logged).

Small exports stream at once; large ones become a job written in the background, whose page
the viewer follows until the file can be downloaded.
"""

from collections.abc import Iterable, Sequence
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_safe

from hoctap.accounts.models import User
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import NotFound
from hoctap.core.exports import csv_stream
from hoctap.core.http import authenticated_user
from hoctap.transfer.export_jobs import (
    export_filename,
    export_job_download_log,
    export_job_start,
    export_log_detail,
)
from hoctap.transfer.exports import (
    CONTENT_TYPES,
    ExportSelection,
    assessment_selection,
    citizen_selection,
    xlsx_file,
)
from hoctap.transfer.models import ExportJob, ExportKind, ExportStatus


def _respond(
    fmt: str, name: str, header: list[str], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse | FileResponse:
    filename = export_filename(name, fmt)
    if fmt == "csv":
        response: StreamingHttpResponse | FileResponse = StreamingHttpResponse(
            csv_stream(header, rows), content_type=CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        xlsx_file(name, header, rows),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[fmt],
    )


def _export(
    user: User, kind: str, fmt: str, parameters: dict[str, str], selection: ExportSelection
) -> HttpResponseBase:
    """Stream a small export; queue a large one and send the viewer to its page."""
    rows_total = selection.count()
    if rows_total > settings.HOCTAP_EXPORT_BACKGROUND_ROWS:
        job = export_job_start(
            user=user,
            kind=kind,
            fmt=fmt,
            parameters=parameters,
            name=selection.name,
            rows_total=rows_total,
        )
        return HttpResponseRedirect(reverse("transfer:job", args=[job.pk]), status=303)
    access_log_record(
        user=user,
        action=AccessAction.EXPORT,
        object_type=kind,
        detail=export_log_detail(kind=kind, fmt=fmt, parameters=parameters),
    )
    header, rows = selection.table()
    return _respond(fmt, selection.name, header, rows)


@require_safe
@login_required
def citizens_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Download the people in scope (CCCD masked), as CSV or XLSX."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    user = authenticated_user(request)
    parameters = {"q": request.GET.get("q", "").strip()}
    selection = citizen_selection(user=user, query=parameters["q"])
    return _export(user, ExportKind.CITIZEN, fmt, parameters, selection)


@require_safe
@login_required
def assessments_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Download a period's assessments in scope (optionally under one unit), as CSV or XLSX."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    user = authenticated_user(request)
    parameters = {
        "period": request.GET.get("period", "").strip(),
        "unit": request.GET.get("unit", "").strip(),
    }
    try:
        selection = assessment_selection(
            user=user, period_code=parameters["period"], unit_code=parameters["unit"]
        )
    except (ValidationError, NotFound):
        raise Http404 from None
    return _export(user, ExportKind.ASSESSMENT, fmt, parameters, selection)


def _own_job(request: HttpRequest, job_id: UUID) -> ExportJob:
    """Return an export of the signed-in user; anyone else's is not found."""
    return get_object_or_404(ExportJob, pk=job_id, user=authenticated_user(request))


@require_safe
@login_required
def job_detail(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Show how far a background export has got, and its download once written."""
    return render(request, "transfer/export_detail.html", {"job": _own_job(request, job_id)})


@require_safe
@login_required
def job_status(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Return the status fragment that the job's page polls while the file is written."""
    return render(
        request, "transfer/partials/export_status.html", {"job": _own_job(request, job_id)}
    )


@require_GET
@login_required
def job_download(request: HttpRequest, job_id: UUID) -> FileResponse:
    """Download a written export (each download is logged)."""
    job = _own_job(request, job_id)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    export_job_download_log(user=authenticated_user(request), job=job)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES[job.fmt],
    )

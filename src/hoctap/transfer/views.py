"""Downloads of people and assessments within the viewer's scope (each one logged)."""

from collections.abc import Iterable, Sequence

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.periods import period_get, period_scheme
from hoctap.assessments.selectors import assessment_list
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.exports import csv_stream
from hoctap.core.http import authenticated_user
from hoctap.organisation.models import Unit
from hoctap.people.selectors import citizen_list
from hoctap.schemes.models import SubjectType
from hoctap.transfer.exports import assessment_table, citizen_table, xlsx_file

FORMATS = ("csv", "xlsx")


def _respond(
    fmt: str, name: str, header: list[str], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse | FileResponse:
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response: StreamingHttpResponse | FileResponse = StreamingHttpResponse(
            csv_stream(header, rows),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        xlsx_file(name, header, rows),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _log(user: User, object_type: str, detail: dict[str, str]) -> None:
    access_log_record(user=user, action=AccessAction.EXPORT, object_type=object_type, detail=detail)


@require_safe
@login_required
def citizens_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse | FileResponse:
    """Download the people in scope (CCCD masked), as CSV or XLSX."""
    if fmt not in FORMATS:
        raise Http404
    user = authenticated_user(request)
    query = request.GET.get("q", "").strip()
    header, rows = citizen_table(citizen_list(user=user, query=query))
    _log(user, "citizen", {"format": fmt, "q_len": str(len(query))})
    return _respond(fmt, "cong-dan", header, rows)


@require_safe
@login_required
def assessments_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse | FileResponse:
    """Download a period's assessments in scope (optionally under one unit), as CSV or XLSX."""
    if fmt not in FORMATS:
        raise Http404
    user = authenticated_user(request)
    scope = scope_for(user)
    try:
        period = period_get(request.GET.get("period", ""))
    except ValidationError:
        raise Http404 from None
    rows = assessment_list(user=user, scope=scope).filter(period=period)
    code = request.GET.get("unit", "").strip()
    if code:
        units = Unit.objects.filter(code=code).during(period.starts_on, period.ends_on)
        unit = scope.filter(units, "").order_by("-valid_from").first()
        if unit is None:
            raise Http404
        rows = rows.filter(unit__path__startswith=unit.path)
    try:
        definition = period_scheme(period, SubjectType.CITIZEN).parsed
    except ValidationError:
        raise Http404 from None
    header, table = assessment_table(
        rows.order_by("unit__path", "citizen__search_name"), definition
    )
    _log(user, "assessment", {"format": fmt, "period": period.code, "unit": code})
    return _respond(fmt, f"danh-gia-{period.code}", header, table)

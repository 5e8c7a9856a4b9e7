"""The report page: bookmarkable, printable, and downloadable in every format."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Period
from hoctap.core.errors import NotFound
from hoctap.core.http import authenticated_user
from hoctap.organisation.admin_divisions import NATIONAL_CODE
from hoctap.organisation.models import Unit
from hoctap.reports.documents import render as render_document
from hoctap.reports.model import Row, SummaryReport
from hoctap.reports.presentation import report_context
from hoctap.reports.render import report_csv
from hoctap.reports.selectors import TREES, summary_report

DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _download(report: SummaryReport, fmt: str) -> HttpResponse:
    content = report_csv(report) if fmt == "csv" else render_document(report, fmt)
    response = HttpResponse(content, content_type=DOWNLOADS[fmt])
    name = f"bao-cao-{report.unit_code}-{report.period}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@login_required
def summary_view(request: HttpRequest) -> HttpResponse:
    """Show the summary report for ?period=&unit=&tree=; ?format= downloads it."""
    user = authenticated_user(request)
    scope = scope_for(user)
    period = request.GET.get("period") or _latest_period()
    unit = request.GET.get("unit", "")
    tree = request.GET.get("tree", "historical")
    if not unit:
        unit = NATIONAL_CODE if scope.everything else _home_unit(scope.paths)
    try:
        report = summary_report(scope=scope, period_code=period, unit_code=unit, tree=tree)
    except (NotFound, ValidationError):
        raise Http404 from None
    fmt = request.GET.get("format", "")
    if fmt in DOWNLOADS:
        return _download(report, fmt)

    def link(row: Row) -> str:
        query = urlencode({"period": report.period, "unit": row.code, "tree": report.tree})
        return f"{reverse('reports:summary')}?{query}"

    context = report_context(report, unit_link=link)
    context |= {
        "periods": list(Period.objects.order_by("-starts_on").values_list("code", flat=True)),
        "trees": TREES,
        "query": {"period": report.period, "unit": report.unit_code, "tree": report.tree},
        "downloads": list(DOWNLOADS),
    }
    return render(request, "reports/summary.html", context)


def _latest_period() -> str:
    latest = Period.objects.order_by("-starts_on").values_list("code", flat=True).first()
    return latest or ""


def _home_unit(paths: tuple[str, ...]) -> str:
    """Pick the outermost unit the user holds a role over."""
    if not paths:
        return ""
    pk = int(paths[0].strip("/").split("/")[-1])
    return Unit.objects.filter(pk=pk).values_list("code", flat=True).first() or ""

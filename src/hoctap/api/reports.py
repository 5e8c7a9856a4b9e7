"""GET /api/v1/reports/summary: the report JSON of the contract."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from hoctap.accounts.scoping import scope_for
from hoctap.api.api import api_user
from hoctap.api.schemas import Message
from hoctap.reports.render import report_json
from hoctap.reports.selectors import summary_report

router = Router(tags=["reports"])


@router.get("/reports/summary", response={200: dict[str, Any], 400: Message, 404: Message})
def report_summary(
    request: HttpRequest, period: str, unit: str, tree: str = "historical"
) -> dict[str, Any]:
    """Return the summary report of a unit subtree for a period (404 outside the caller's scope)."""
    report = summary_report(
        scope=scope_for(api_user(request)), period_code=period, unit_code=unit, tree=tree
    )
    return report_json(report)

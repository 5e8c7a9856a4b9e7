"""Formatted figures for the report page and the PDF (both render the same partial)."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from hoctap.assessments.models import State
from hoctap.reports.charts import pass_rate_chart
from hoctap.reports.figures import vi_number, vi_percent
from hoctap.reports.model import Counts, Row, SummaryReport
from hoctap.reports.render import centres_table, narrative


def _figures(counts: Counts) -> dict[str, str]:
    return {
        "enrolled": vi_number(counts.enrolled),
        "assessed": vi_number(counts.assessed),
        "passed": vi_number(counts.passed),
        "not_passed": vi_number(counts.not_passed),
        "rate": vi_percent(counts.pass_rate),
    }


def _rows(rows: list[Row], link: Callable[[Row], str] | None = None) -> list[dict[str, Any]]:
    return [
        {"name": r.name, "code": r.code, "link": link(r) if link else "", **_figures(r.counts)}
        for r in rows
    ]


def report_context(
    report: SummaryReport, unit_link: Callable[[Row], str] | None = None
) -> dict[str, Any]:
    """Return the template context of the summary partial."""
    states = dict(State.choices)
    return {
        "report": report,
        "narrative": narrative(report),
        "total": _figures(report.totals),
        "final": _figures(report.final),
        "groups": _rows(report.by_group),
        "units": _rows(report.by_unit, unit_link),
        "unit_chart": pass_rate_chart(_("Pass rate by unit"), report.by_unit),
        "indicators": [
            {"code": i.code, "text": i.text, "mean": vi_number(i.mean_final), "below": i.below_min}
            for i in report.by_indicator
        ],
        "breakdowns": [
            {"title": _("By sex"), "head": _("Sex"), "rows": _rows(report.by_sex)},
            {
                "title": _("By ethnicity"),
                "head": _("Ethnicity"),
                "rows": _rows(report.by_ethnicity),
            },
            {"title": _("By age"), "head": _("Age"), "rows": _rows(report.by_age_band)},
        ],
        "trend": [{"name": t.period, **_figures(t.counts)} for t in report.trend],
        "targets": [
            {
                "label": t.label,
                "goal": vi_percent(t.target_percent),
                "reached": vi_percent(t.actual_percent),
                "numerator": vi_number(t.numerator),
                "denominator": vi_number(t.denominator),
            }
            for t in report.targets
        ],
        "titles": [
            {
                "title": t.title,
                "provisional": t.provisional,
                "scheme": t.scheme,
                "registered": vi_number(t.registered),
                "recognised": vi_number(t.recognised),
                "rate": vi_percent(t.rate),
            }
            for t in report.titles
        ],
        "centres": [{"label": label, "n": vi_number(n)} for label, n in centres_table(report)],
        "pending": [
            {
                "name": p.name,
                "total": p.total,
                "states": ", ".join(
                    f"{states.get(s, s)}: {n}" for s, n in sorted(p.by_state.items())
                ),
            }
            for p in report.pending
        ],
    }

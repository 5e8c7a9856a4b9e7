"""A summary report as the contract's JSON, a text table, CSV and a Vietnamese paragraph."""

from typing import Any

from django.utils.translation import gettext as _

from hoctap.core.exports import csv_text
from hoctap.reports.figures import vi_number, vi_percent
from hoctap.reports.model import Counts, Row, SummaryReport


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "enrolled": counts.enrolled,
        "assessed": counts.assessed,
        "passed": counts.passed,
        "not_passed": counts.not_passed,
        "pass_rate": float(counts.pass_rate),
    }


def _rows(rows: list[Row]) -> list[dict[str, Any]]:
    return [{"code": r.code, "name": r.name, **_counts(r.counts)} for r in rows]


def report_json(report: SummaryReport) -> dict[str, Any]:
    """Return the report JSON of the contract (spec §5), with the further breakdowns after it."""
    return {
        "period": report.period,
        "unit": {"code": report.unit_code, "name": report.unit_name},
        "tree": report.tree,
        "scheme": {"code": report.scheme, "provisional": report.scheme_provisional},
        "totals": _counts(report.totals),
        "by_group": _rows(report.by_group),
        "by_unit": _rows(report.by_unit),
        "by_indicator": [
            {"code": i.code, "mean_final": float(i.mean_final), "below_min": i.below_min}
            for i in report.by_indicator
        ],
        "final": _counts(report.final),
        "by_sex": _rows(report.by_sex),
        "by_ethnicity": _rows(report.by_ethnicity),
        "by_age_band": _rows(report.by_age_band),
        "pending": [
            {"code": p.code, "name": p.name, "kind": p.kind, "by_state": p.by_state}
            for p in report.pending
        ],
        "trend": [{"period": t.period, **_counts(t.counts)} for t in report.trend],
        "targets": [
            {
                "code": t.code,
                "label": t.label,
                "target_percent": float(t.target_percent),
                "actual_percent": float(t.actual_percent),
                "numerator": t.numerator,
                "denominator": t.denominator,
            }
            for t in report.targets
        ],
        "narrative": narrative(report),
    }


def _table_rows(report: SummaryReport) -> list[tuple[str, str, Counts]]:
    rows = [("", _("Total"), report.totals)]
    rows += [(r.code, r.name, r.counts) for r in report.by_group]
    rows += [(r.code, r.name, r.counts) for r in report.by_unit]
    return rows


def _header() -> list[str]:
    return [
        _("Code"),
        _("Name"),
        _("Enrolled"),
        _("Assessed"),
        _("Passed"),
        _("Not passed"),
        _("Pass rate"),
    ]


def report_text(report: SummaryReport) -> str:
    """Return an aligned console table with the narrative paragraph above it."""
    lines = [
        _("Period %(p)s · %(unit)s (%(code)s)")
        % {"p": report.period, "unit": report.unit_name, "code": report.unit_code},
        "",
        narrative(report),
        "",
    ]
    table = [_header()] + [
        [
            code,
            name,
            vi_number(c.enrolled),
            vi_number(c.assessed),
            vi_number(c.passed),
            vi_number(c.not_passed),
            vi_percent(c.pass_rate),
        ]
        for code, name, c in _table_rows(report)
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        cells = [
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append(_("Indicator  Mean final score  Below the minimum"))
    for ind in report.by_indicator:
        low = "—" if ind.below_min is None else str(ind.below_min)
        lines.append(f"{ind.code:<10} {vi_number(ind.mean_final):>16}  {low:>17}")
    return "\n".join(lines) + "\n"


def report_csv(report: SummaryReport) -> str:
    """Return the results table as CSV (UTF-8 with BOM; formulas neutralised)."""
    rows = [
        [code, name, c.enrolled, c.assessed, c.passed, c.not_passed, vi_number(c.pass_rate)]
        for code, name, c in _table_rows(report)
    ]
    return csv_text(_header(), rows)


def _group_phrase(report: SummaryReport) -> str:
    return "; ".join(
        _("%(n)s %(name)s") % {"n": vi_number(r.counts.enrolled), "name": r.name.lower()}
        for r in report.by_group
        if r.counts.enrolled
    )


def _whole(report: SummaryReport) -> str:
    """Name the whole area as a report would: "Toàn huyện", "Toàn xã", or the unit's name."""
    whole = {
        "province": _("The whole province"),
        "district": _("The whole district"),
        "commune": _("The whole commune"),
    }
    return whole.get(report.unit_kind, report.unit_name)


def narrative(report: SummaryReport) -> str:
    """Write the paragraph an association pastes into its summary report."""
    t = report.totals
    text = _(
        "%(whole)s organised the assessment for %(enrolled)s citizens, of whom %(groups)s. "
        "Of the %(assessed)s assessed, %(passed)s passed (%(rate)s) and %(failed)s did not "
        "pass (%(failed_rate)s)."
    ) % {
        "whole": _whole(report),
        "enrolled": vi_number(t.enrolled),
        "groups": _group_phrase(report),
        "assessed": vi_number(t.assessed),
        "passed": vi_number(t.passed),
        "rate": vi_percent(t.pass_rate),
        "failed": vi_number(t.not_passed),
        "failed_rate": vi_percent(t.not_passed_rate),
    }
    pending = t.enrolled - t.assessed
    if pending:
        text += " " + _("%(n)s are still in progress.") % {"n": vi_number(pending)}
    if report.scheme_provisional:
        text += " " + _("The scheme used is provisional.")
    return text

"""A summary report as the contract's JSON, a text table, CSV and a Vietnamese paragraph."""

from typing import Any

from django.utils.translation import gettext as _

from hoctap.core.exports import csv_text
from hoctap.reports.figures import vi_number, vi_percent
from hoctap.reports.model import Counts, Row, SummaryReport, TitleRow


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
        "titles": [
            {
                "code": t.code,
                "title": t.title,
                "scheme": t.scheme,
                "provisional": t.provisional,
                "registered": t.registered,
                "recognised": t.recognised,
                "rate": float(t.rate),
            }
            for t in report.titles
        ],
        "centres": {
            "centres": report.centres.centres,
            "courses": report.centres.courses,
            "sessions": report.centres.sessions,
            "participants": report.centres.participants,
            "attendances": report.centres.attendances,
        },
        "narrative": narrative(report),
    }


def title_label(row: TitleRow) -> str:
    """Name a title as every output shows it, marked when its scheme is provisional."""
    return f"{row.title} ({_('provisional')})" if row.provisional else row.title


def titles_head() -> list[str]:
    return [_("Title"), _("Registered"), _("Recognised"), _("Rate")]


def titles_table(report: SummaryReport) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of the titles table, figures formatted the Vietnamese way."""
    head = titles_head()
    rows = [
        [title_label(t), vi_number(t.registered), vi_number(t.recognised), vi_percent(t.rate)]
        for t in report.titles
    ]
    return head, rows


def centres_table(report: SummaryReport) -> list[tuple[str, int]]:
    """Return the learning centres' activity as (label, count) lines."""
    c = report.centres
    return [
        (_("Community learning centres"), c.centres),
        (_("Courses"), c.courses),
        (_("Sessions"), c.sessions),
        (_("Participants"), c.participants),
        (_("Attendances"), c.attendances),
    ]


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
    lines.append("")
    head, titles = titles_table(report)
    lines += _aligned([head, *titles])
    lines.append("")
    lines += _aligned([[label, vi_number(n)] for label, n in centres_table(report)])
    return "\n".join(lines) + "\n"


def _aligned(table: list[list[str]]) -> list[str]:
    """Align a table's first column left and the others right."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ).rstrip()
        for row in table
    ]


def report_csv(report: SummaryReport) -> str:
    """Return the results table as CSV (UTF-8 with BOM; formulas neutralised)."""
    rows: list[list[object]] = [
        [code, name, c.enrolled, c.assessed, c.passed, c.not_passed, vi_number(c.pass_rate)]
        for code, name, c in _table_rows(report)
    ]
    # The titles and the centres follow the results, each under its own header line.
    head, titles = titles_table(report)
    rows.append([])
    rows.append(["", *head])
    rows += [["", *line] for line in titles]
    rows.append([])
    rows += [["", label, n] for label, n in centres_table(report)]
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
    for title in report.titles:
        if title.registered:
            text += " " + _(
                "%(title)s: %(registered)s registered, %(recognised)s recognised (%(rate)s)."
            ) % {
                "title": title_label(title),
                "registered": vi_number(title.registered),
                "recognised": vi_number(title.recognised),
                "rate": vi_percent(title.rate),
            }
    c = report.centres
    if c.courses:
        text += " " + _(
            "The learning centres ran %(courses)s courses in %(sessions)s sessions, "
            "attended by %(participants)s people."
        ) % {
            "courses": vi_number(c.courses),
            "sessions": vi_number(c.sessions),
            "participants": vi_number(c.participants),
        }
    return text

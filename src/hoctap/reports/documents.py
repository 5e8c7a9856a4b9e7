"""The report as documents to print or file: XLSX laid out like an association form, A4 PDF."""

import io
from typing import Any

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.core.exports import neutralise
from hoctap.reports.model import Counts, SummaryReport
from hoctap.reports.presentation import report_context
from hoctap.reports.render import centres_table, narrative, title_label, titles_head


def render(report: SummaryReport, fmt: str) -> bytes:
    """Return the report as an .xlsx or .pdf file."""
    if fmt == "xlsx":
        return report_xlsx(report)
    if fmt == "pdf":
        return report_pdf(report)
    raise ValueError(fmt)


def report_pdf(report: SummaryReport) -> bytes:
    """Render the same partial as the page on A4, with fonts that carry Vietnamese."""
    from weasyprint import HTML

    html = render_to_string(
        "reports/summary_print.html",
        {**report_context(report), "printed_on": timezone.localdate()},
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def _table(
    ws: Any, row: int, title: str, head: list[str], lines: list[list[object]], fmt: dict[str, Any]
) -> int:
    ws.merge_range(row, 0, row, len(head) - 1, title, fmt["section"])
    ws.write_row(row + 1, 0, head, fmt["head"])
    for i, line in enumerate(lines, start=row + 2):
        for j, cell in enumerate(line):
            ws.write(i, j, neutralise(cell), fmt["pct"] if j == len(line) - 1 else fmt["cell"])
    return row + len(lines) + 3


def _line(name: str, c: Counts) -> list[object]:
    return [name, c.enrolled, c.assessed, c.passed, c.not_passed, float(c.pass_rate) / 100]


def _titles_and_centres(ws: Any, row: int, report: SummaryReport, fmt: dict[str, Any]) -> int:
    """Write the sibling titles and the learning centres' activity; return the next free row."""
    head = titles_head()
    ws.merge_range(row, 0, row, len(head) - 1, _("Sibling titles"), fmt["section"])
    ws.write_row(row + 1, 0, head, fmt["head"])
    for i, title in enumerate(report.titles, start=row + 2):
        line = [title_label(title), title.registered, title.recognised]
        ws.write_row(i, 0, [neutralise(cell) for cell in line], fmt["cell"])
        ws.write(i, 3, float(title.rate) / 100, fmt["pct"])
    row += len(report.titles) + 3
    ws.merge_range(row, 0, row, 1, _("Learning centres in the period"), fmt["section"])
    lines = centres_table(report)
    for i, (label, n) in enumerate(lines, start=row + 1):
        ws.write_row(i, 0, [label, n], fmt["cell"])
    return row + len(lines) + 2


def report_xlsx(report: SummaryReport) -> bytes:
    """Write a sheet with title, unit, period, the tables and a signature block."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("Report"))
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "section": book.add_format({"bold": True, "bg_color": "#E6ECE9"}),
        "head": book.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"}),
        "cell": book.add_format({"border": 1}),
        "pct": book.add_format({"border": 1, "num_format": "0.00%"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    sheet.set_column(0, 0, 42)
    sheet.set_column(1, 5, 12)
    sheet.merge_range(0, 0, 0, 5, _("REPORT ON THE LEARNING CITIZEN ASSESSMENT"), fmt["title"])
    sheet.write(1, 0, _("Unit: %(u)s (%(c)s)") % {"u": report.unit_name, "c": report.unit_code})
    sheet.write(2, 0, _("Period: %(p)s · Scheme: %(s)s") % {"p": report.period, "s": report.scheme})
    sheet.merge_range(3, 0, 5, 5, narrative(report), fmt["wrap"])
    head = [_("Name"), _("Enrolled"), _("Assessed"), _("Passed"), _("Not passed"), _("Pass rate")]
    groups = [_line(r.name, r.counts) for r in report.by_group] + [_line(_("Total"), report.totals)]
    row = _table(sheet, 7, _("Results by target group"), head, groups, fmt)
    row = _table(
        sheet,
        row,
        _("Results by unit"),
        head,
        [_line(r.name, r.counts) for r in report.by_unit],
        fmt,
    )
    indicators = [
        [i.code, float(i.mean_final), i.below_min if i.below_min is not None else "—"]
        for i in report.by_indicator
    ]
    sheet.merge_range(row, 0, row, 2, _("Indicators"), fmt["section"])
    sheet.write_row(
        row + 1, 0, [_("Indicator"), _("Mean final score"), _("Below the minimum")], fmt["head"]
    )
    for i, line in enumerate(indicators, start=row + 2):
        sheet.write_row(i, 0, line, fmt["cell"])
    row += len(indicators) + 3
    row = _titles_and_centres(sheet, row, report, fmt)
    sheet.write(row, 3, _("…, date … month … year …"))
    sheet.write(row + 1, 3, _("ON BEHALF OF THE ASSOCIATION"), fmt["head"])
    sheet.write(row + 2, 0, _("Prepared by"))
    sheet.write(row + 5, 3, _("(signature, full name, seal)"))
    book.close()
    return out.getvalue()

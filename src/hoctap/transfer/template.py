"""The import template of a period's scheme for a unit's subtree, as an .xlsx workbook."""

import io
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from hoctap.assessments.models import Period
from hoctap.assessments.periods import period_scheme
from hoctap.organisation.models import Unit
from hoctap.people.models import Ethnicity
from hoctap.schemes.models import SubjectType
from hoctap.transfer import columns as col

ROWS = 2000  # rows prepared with drop-down lists; more can be pasted below


def template_units(period: Period, unit: Unit) -> list[Unit]:
    """Return the units of the subtree in force during the period, where people can enrol."""
    return list(
        Unit.objects.within(unit.path).during(period.starts_on, period.ends_on).order_by("path")
    )


def template_xlsx(period: Period, unit: Unit) -> bytes:
    """Return the template: the list sheet, then sheets of valid values and instructions."""
    definition = period_scheme(period, SubjectType.CITIZEN).parsed
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True, "bg_color": "#E6ECE9", "border": 1, "text_wrap": True})
    sheet = book.add_worksheet(_("List"))
    codes = list(definition.indicator_codes)
    headers = [
        col.UNIT,
        col.NAME,
        col.BIRTH_YEAR,
        col.SEX,
        col.ETHNICITY,
        col.NATIONAL_ID,
        col.HOUSEHOLD,
        col.GROUP,
        *codes,
        col.NOTE,
    ]
    sheet.write_row(0, 0, headers, bold)
    sheet.freeze_panes(1, 2)
    for index, header in enumerate(headers):
        width = 28 if header == col.NAME else 14
        sheet.set_column(index, index, width, text if header in col.TEXT_COLUMNS else None)
    units = template_units(period, unit)
    _list_sheet(
        book,
        "DonVi",
        [_("Code"), _("Name"), _("Kind")],
        [[u.code, u.name, u.get_kind_display()] for u in units],
        text,
    )
    ethnicities = [e.name for e in Ethnicity.objects.order_by("code")]
    _list_sheet(book, "DanToc", [_("Ethnicity")], [[name] for name in ethnicities], text)
    groups = [g.code for g in definition.groups]
    _list_sheet(
        book, "Nhom", [_("Code"), _("Name")], [[g.code, g.label] for g in definition.groups], text
    )
    last = ROWS
    _validate(sheet, headers.index(col.UNIT), last, f"=DonVi!$A$2:$A${len(units) + 1}")
    _validate(sheet, headers.index(col.SEX), last, ["Nam", "Nữ"])
    _validate(sheet, headers.index(col.ETHNICITY), last, f"=DanToc!$A$2:$A${len(ethnicities) + 1}")
    _validate(sheet, headers.index(col.GROUP), last, groups)
    for code in codes:
        indicator = definition.indicator(code)
        whole = indicator.step == indicator.step.to_integral()
        sheet.data_validation(
            1,
            headers.index(code),
            last,
            headers.index(code),
            {
                "validate": "integer" if whole else "decimal",
                "criteria": "between",
                "minimum": 0,
                "maximum": float(indicator.max),
                "error_message": _("A score from 0 to %(m)s.") % {"m": indicator.max},
            },
        )
    _instructions(book, period, unit, definition.title)
    book.close()
    return out.getvalue()


def _list_sheet(book: Any, name: str, head: list[str], rows: list[list[str]], fmt: Any) -> None:
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, head)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row, fmt)
    sheet.set_column(0, len(head) - 1, 30)


def _validate(sheet: Any, column: int, last: int, source: str | list[str]) -> None:
    sheet.data_validation(1, column, last, column, {"validate": "list", "source": source})


def _instructions(book: Any, period: Period, unit: Unit, title: str) -> None:
    sheet = book.add_worksheet(_("Instructions"))
    sheet.set_column(0, 0, 100)
    lines = [
        _("Import template · %(t)s · period %(p)s · %(u)s (%(c)s)")
        % {"t": title, "p": period.code, "u": unit.name, "c": unit.code},
        _("Fill one person per row on the first sheet; keep the header row as it is."),
        _("Unit code: a code from the sheet DonVi (branch, village, agency or commune)."),
        _("Sex: Nam or Nữ. Ethnicity: one of the 54 groups on the sheet DanToc (may be empty)."),
        _("CCCD: 12 digits (may be empty). Household code: the household's code in its unit."),
        _("Target group: a code from the sheet Nhom (G1, G2, G3) or its name."),
        _("Each indicator column: the final score, a whole number from 0 to its maximum."),
        _(
            "A person is matched by CCCD, else by unit, name, birth year and household: "
            "importing the same file twice changes nothing."
        ),
        _("Any error rejects the whole file with the list of every error; nothing is written."),
    ]
    for i, line in enumerate(lines):
        sheet.write(i, 0, line)

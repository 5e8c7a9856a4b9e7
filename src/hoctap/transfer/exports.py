"""Exports of people and assessments within a user's scope, as streamed CSV or XLSX."""

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment
from hoctap.assessments.periods import period_get, period_scheme
from hoctap.assessments.selectors import QUEUE_ORDER, AssessmentFilter, assessment_filtered
from hoctap.core.exports import csv_stream, neutralise
from hoctap.people.models import Citizen
from hoctap.people.selectors import citizen_list
from hoctap.schemes.definition import SchemeDefinition
from hoctap.schemes.models import SubjectType

Table = tuple[list[str], Iterator[list[object]]]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportSelection:
    """The rows of one export in a user's scope, and how to lay them out."""

    name: str
    rows: QuerySet[Any]
    table: Callable[[], Table]

    def count(self) -> int:
        return self.rows.order_by().count()


def citizen_selection(*, user: User, query: str) -> ExportSelection:
    """Select the people in `user`'s scope whose name matches `query`."""
    citizens = citizen_list(user=user, query=query)
    return ExportSelection("cong-dan", citizens, lambda: citizen_table(citizens))


def assessment_selection(*, user: User, period_code: str, unit_code: str) -> ExportSelection:
    """Select a period's assessments in scope, under one unit when a code is given.

    ValidationError for an unknown period or one without a scheme; NotFound for a unit
    outside the scope.
    """
    scope = scope_for(user)
    period = period_get(period_code)
    filters = AssessmentFilter(period=period.code, unit=unit_code)
    rows = assessment_filtered(user=user, filters=filters, scope=scope)
    definition = period_scheme(period, SubjectType.CITIZEN).parsed
    ordered = rows.order_by(*QUEUE_ORDER)
    return ExportSelection(
        f"danh-gia-{period.code}", ordered, lambda: assessment_table(ordered, definition)
    )


def xlsx_file(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> IO[bytes]:
    """Write a workbook row by row (constant memory) to a temporary file and return it open."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned to the caller, who closes it
    book = xlsxwriter.Workbook(
        handle, {"constant_memory": True, "strings_to_formulas": False, "in_memory": False}
    )
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, list(header), bold)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, [neutralise(c) for c in row])
    book.close()
    handle.seek(0)
    return handle


def csv_file(header: Sequence[str], rows: Iterable[Sequence[object]]) -> IO[bytes]:
    """Write the CSV (BOM first, every cell neutralised) to a temporary file and return it open."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned to the caller, who closes it
    for line in csv_stream(header, rows):
        handle.write(line.encode("utf-8"))
    handle.seek(0)
    return handle


def citizen_table(citizens: QuerySet[Citizen]) -> Table:
    """Return the header and rows of a people export (CCCD masked)."""
    header = [_("Full name"), _("Birth year"), _("Sex"), _("Ethnicity"), _("CCCD"), _("Unit")]
    rows = (
        [
            c.full_name,
            c.birth_year,
            c.get_sex_display(),
            c.ethnicity.name if c.ethnicity else "",
            c.masked_national_id,
            c.home_unit.name,
        ]
        for c in citizens.iterator(chunk_size=2000)
    )
    return header, rows


def assessment_table(assessments: QuerySet[Assessment], definition: SchemeDefinition) -> Table:
    """Return the header and rows of an assessment export, one column per indicator."""
    indicator_codes = definition.indicator_codes
    header = [
        _("Unit code"),
        _("Full name"),
        _("Birth year"),
        _("Sex"),
        _("Group"),
        _("State"),
        *indicator_codes,
        _("Total"),
        _("Result"),
        _("Decision number"),
    ]
    rows = (
        [
            a.unit.code,
            a.citizen.full_name if a.citizen else "",
            a.citizen.birth_year if a.citizen else "",
            a.citizen.get_sex_display() if a.citizen else "",
            a.group,
            a.get_state_display(),
            *[a.final_scores.get(code, "") for code in indicator_codes],
            a.final_total if a.final_total is not None else "",
            definition.result_label(a.result) if a.result else "",
            a.decision_number,
        ]
        for a in assessments.iterator(chunk_size=2000)
    )
    return header, rows

"""Exports of people and assessments within a user's scope, as streamed CSV or XLSX."""

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

import xlsxwriter
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hoctap.assessments.models import Assessment
from hoctap.core.exports import neutralise
from hoctap.people.models import Citizen
from hoctap.schemes.definition import SchemeDefinition


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


def citizen_table(citizens: QuerySet[Citizen]) -> tuple[list[str], Iterator[list[object]]]:
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


def assessment_table(
    assessments: QuerySet[Assessment], definition: SchemeDefinition
) -> tuple[list[str], Iterator[list[object]]]:
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

"""`hoctap template`: the workbook an officer fills in, laid out as the import expects."""

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

pytestmark = pytest.mark.django_db


def _template(tmp_path: Path, *, period: str = "2021-2022", unit: str = "03289") -> Path:
    target = tmp_path / "mau.xlsx"
    call_command("template", "--period", period, "--unit", unit, "-o", str(target))
    return target


def _sheet(path: Path, name: str) -> list[list[Any]]:
    book = CalamineWorkbook.from_path(str(path))
    return list(book.get_sheet_by_name(name).iter_rows())


def test_the_first_sheet_has_the_spec_columns_in_order(tmp_path: Path) -> None:
    target = _template(tmp_path)
    book = CalamineWorkbook.from_path(str(target))
    header = next(book.get_sheet_by_index(0).iter_rows())
    assert header == [
        "Mã đơn vị",
        "Họ và tên",
        "Năm sinh",
        "Giới tính",
        "Dân tộc",
        "Số CCCD",
        "Mã hộ",
        "Nhóm đối tượng",
        *[f"CS{i}" for i in range(1, 11)],
        "Ghi chú",
    ]


def test_the_unit_list_holds_the_commune_and_its_branches_but_no_other_commune(
    tmp_path: Path,
) -> None:
    codes = [str(row[0]) for row in _sheet(_template(tmp_path), "DonVi")[1:]]
    assert {"03289", "03289-CH1", "03289-CH2", "03289-CH3", "03289-CQ1", "03289-CQ2"} <= set(codes)
    assert all(code.startswith("03289") for code in codes)
    assert not [code for code in codes if code.startswith("03274")]


def test_the_group_list_offers_the_scheme_groups(tmp_path: Path) -> None:
    groups = [str(row[0]) for row in _sheet(_template(tmp_path), "Nhom")[1:]]
    assert groups == ["G1", "G2", "G3"]


def test_the_list_sheet_has_dropdowns_and_keeps_codes_as_text(tmp_path: Path) -> None:
    with zipfile.ZipFile(_template(tmp_path)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert "<dataValidation " in sheet
    assert 'type="list"' in sheet
    assert "DonVi!$A$2" in sheet
    # The text number format ("@", built in as 49) on the unit, CCCD and household columns.
    text_formats = {"49", *re.findall(r'numFmtId="(\d+)" formatCode="@"', styles)}
    cell_formats = re.findall(r'<xf numFmtId="(\d+)"', styles.split("<cellXfs")[1])
    text_styles = {str(i) for i, fmt in enumerate(cell_formats) if fmt in text_formats}
    text_columns = {
        column
        for low, high, style in re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*style="(\d+)"', sheet)
        if style in text_styles
        for column in range(int(low), int(high) + 1)
    }
    assert text_columns == {1, 6, 7}  # Mã đơn vị, Số CCCD, Mã hộ


def test_an_unknown_unit_is_refused_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No unit has code 99999"):
        _template(tmp_path, unit="99999")
    assert not (tmp_path / "mau.xlsx").exists()


def test_an_unknown_period_is_refused_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No period has code 1999-2000"):
        _template(tmp_path, period="1999-2000")
    assert not (tmp_path / "mau.xlsx").exists()

"""Hostile or broken workbooks are refused quickly with a clear message and change nothing."""

import time
import zipfile
from pathlib import Path

import pytest
from django.test import override_settings

from hoctap.assessments.models import Period
from tests.transfer.commands import refusal
from tests.transfer.files import (
    HEADERS,
    lie_about_size,
    people,
    write_xlsx,
    write_zip_member,
)

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
ROW = '<row><c t="inlineStr"><is><t>Quàng Văn Khánh</t></is></c></row>'.encode()
TOO_MUCH = "The workbook would expand to too much data; it is refused."


def test_a_zip_bomb_is_refused_within_seconds(period: Period, tmp_path: Path) -> None:
    bomb = write_zip_member(tmp_path / "bom.xlsx", SHEET, ROW * 10_000, 300 * 1024 * 1024)
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo(SHEET).file_size > 300 * 1024 * 1024
    assert bomb.stat().st_size < 5 * 1024 * 1024
    started = time.monotonic()
    said = refusal(bomb)
    assert time.monotonic() - started < 10
    assert TOO_MUCH in said


@override_settings(HOCTAP_IMPORT_MAX_XML_BYTES=10_000)
def test_a_workbook_declaring_more_xml_than_allowed_is_refused(
    period: Period, tmp_path: Path
) -> None:
    # Text that compresses poorly, so that only the size limit, not the ratio, can refuse it.
    piece = "".join(f"<t>{n * 7919 % 100_003:x}</t>" for n in range(2_000)).encode()
    path = write_zip_member(tmp_path / "lon.xlsx", SHEET, piece, 50_000)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
        assert info.file_size / info.compress_size < 200
    assert TOO_MUCH in refusal(path)


@override_settings(HOCTAP_IMPORT_MAX_XML_BYTES=10_000)
def test_a_member_lying_about_its_size_is_stopped_while_inflating(
    period: Period, tmp_path: Path
) -> None:
    path = write_zip_member(tmp_path / "gia.xlsx", SHEET, ROW * 100, 1024 * 1024)
    lie_about_size(path, SHEET, 2_000)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
        assert info.file_size == 2_000  # declared sizes and ratio look harmless
        assert info.file_size / info.compress_size < 200
    assert TOO_MUCH in refusal(path)


def test_a_workbook_lying_about_its_size_within_the_limit_is_refused(
    period: Period, tmp_path: Path
) -> None:
    real = write_xlsx(tmp_path / "that.xlsx", [e.cells() for e in people(3, seed=1)])
    lie_about_size(real, SHEET, 200)
    said = refusal(real)
    assert "Excel" in said


def test_a_truncated_workbook_is_refused(period: Period, tmp_path: Path) -> None:
    real = write_xlsx(tmp_path / "cut.xlsx", [e.cells() for e in people(3, seed=1)])
    real.write_bytes(real.read_bytes()[:2_000])
    assert "The file is not a valid Excel (.xlsx) workbook." in refusal(real)


def test_a_workbook_with_a_corrupted_sheet_is_refused(period: Period, tmp_path: Path) -> None:
    real = write_xlsx(tmp_path / "hong.xlsx", [e.cells() for e in people(3, seed=1)])
    data = bytearray(real.read_bytes())
    with zipfile.ZipFile(real) as archive:
        info = archive.getinfo(SHEET)
    start = info.header_offset + 30 + len(SHEET)
    data[start + 10 : start + 40] = bytes(30)
    real.write_bytes(bytes(data))
    said = refusal(real)
    assert "Excel" in said


def test_a_zip_that_is_not_a_workbook_is_refused(period: Period, tmp_path: Path) -> None:
    path = tmp_path / "anh.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.txt", "not a workbook")
    assert "The file is not a valid Excel (.xlsx) workbook." in refusal(path)


def test_a_workbook_whose_first_sheet_is_not_the_list_is_refused(
    period: Period, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "khac.xlsx", [["Báo cáo"]], ["Tiêu đề"])
    said = refusal(path)
    assert "Column 1: unknown column “Tiêu đề”." in said
    assert f"Required column “{HEADERS[0]}” is missing." in said

"""A file with any problem is refused whole, with every reason listed, and writes nothing."""

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from django.test import override_settings

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment, Period
from hoctap.people.models import Consent, ConsentMethod
from hoctap.transfer.importer import ImportRefused, import_assessments
from hoctap.transfer.reader import read_table
from tests.transfer.commands import refusal, run_import
from tests.transfer.files import HEADERS, Cell, csv_text, people, table_counts, write_xlsx

pytestmark = pytest.mark.django_db


def _rows(count: int = 4) -> list[list[Cell]]:
    return [e.cells() for e in people(count, seed=11)]


def _xlsx(tmp_path: Path, rows: list[list[Cell]], headers: list[str] = HEADERS) -> Path:
    return write_xlsx(tmp_path / "danh-sach.xlsx", rows, headers)


def _set(rows: list[list[Cell]], row: int, column: str, value: Cell) -> list[list[Cell]]:
    """Change the cell the user sees at sheet row `row` (the header is row 1)."""
    rows[row - 2][HEADERS.index(column)] = value
    return rows


def test_a_score_above_the_maximum_is_refused_naming_row_column_and_value(
    period: Period, tmp_path: Path
) -> None:
    said = refusal(_xlsx(tmp_path, _set(_rows(), 3, "CS4", 11)))
    assert "Row 3, column “CS4”, value “11”: a score from 0 to 10" in said
    assert "1 errors; nothing was imported." in said


def test_a_negative_or_fractional_score_is_refused(period: Period, tmp_path: Path) -> None:
    rows = _set(_set(_rows(), 2, "CS1", -1), 4, "CS2", 7.5)
    said = refusal(_xlsx(tmp_path, rows))
    assert "Row 2, column “CS1”, value “-1”" in said
    assert "Row 4, column “CS2”, value “7.5”" in said


def test_a_cccd_number_must_be_twelve_plain_digits(period: Period, tmp_path: Path) -> None:
    rows = _set(_rows(), 2, "Số CCCD", "0012345678")
    # Twelve digits, but Arabic-Indic ones: a regex \d would have taken them.
    rows = _set(rows, 3, "Số CCCD", "٠٠١٢٣٤٥٦٧٨٩٠")
    # Spaces and dots are only how people group the digits: accepted.
    rows = _set(rows, 4, "Số CCCD", "001.234 567 890")
    said = refusal(_xlsx(tmp_path, rows))
    assert "Row 2, column “Số CCCD”, value “0012345678”: a CCCD number has exactly 12" in said
    assert "Row 3, column “Số CCCD”" in said
    assert "Row 4" not in said
    assert "2 errors; nothing was imported." in said


def test_digits_that_are_not_plain_digits_are_cell_errors_not_a_crash(
    period: Period, tmp_path: Path
) -> None:
    # "²".isdigit() is true, but int("²") fails: each must be a cell error like any other.
    rows = _set(_set(_rows(), 2, "CS3", "²"), 3, "Năm sinh", "¹⁹⁹⁰")
    said = refusal(_xlsx(tmp_path, rows))
    assert "Row 2, column “CS3”, value “²”: a score from 0 to 10" in said
    assert "Row 3, column “Năm sinh”, value “¹⁹⁹⁰”" in said
    assert "2 errors; nothing was imported." in said


def test_a_nul_character_in_a_workbook_cell_is_refused(period: Period, tmp_path: Path) -> None:
    said = refusal(_xlsx(tmp_path, _set(_rows(), 3, "Họ và tên", "Lò Văn\x00 Pọng")))
    assert "Row 3 holds a NUL character" in said


def test_an_unknown_unit_code_is_refused(period: Period, tmp_path: Path) -> None:
    said = refusal(_xlsx(tmp_path, _set(_rows(), 2, "Mã đơn vị", "03289-CH9")))
    assert "Row 2, column “Mã đơn vị”, value “03289-CH9”" in said
    assert "no unit with this code in your area during the period" in said


def test_a_unit_outside_the_importers_commune_is_refused(
    period: Period, tmp_path: Path, outsider: User, commune_officer: User
) -> None:
    rows = [e.cells() for e in people(3, seed=12)]
    for row in rows:
        row[HEADERS.index("Mã đơn vị")] = "03289-CH1"
    table = read_table(_xlsx(tmp_path, rows).read_bytes(), name="danh-sach.xlsx")
    before = table_counts()
    with pytest.raises(ImportRefused) as refused:
        import_assessments(
            table=table,
            period=period,
            scope=scope_for(outsider),
            actor=outsider,
            consent=ConsentMethod.PAPER,
        )
    assert len(refused.value.messages) == 3
    assert all("value “03289-CH1”" in m and "in your area" in m for m in refused.value.messages)
    assert table_counts() == before
    # The same file is fine for Xã Quài Cang's own officer.
    summary = import_assessments(
        table=table,
        period=period,
        scope=scope_for(commune_officer),
        dry_run=True,
        consent=ConsentMethod.PAPER,
    )
    assert summary.created == 3


def test_a_missing_required_column_is_refused(period: Period, tmp_path: Path) -> None:
    gone = HEADERS.index("Năm sinh")
    rows = [row[:gone] + row[gone + 1 :] for row in _rows()]
    headers = [h for h in HEADERS if h != "Năm sinh"]
    said = refusal(_xlsx(tmp_path, rows, headers))
    assert "Required column “Năm sinh” is missing." in said


def test_a_missing_indicator_column_is_refused(period: Period, tmp_path: Path) -> None:
    rows = [row[:-2] + row[-1:] for row in _rows()]
    headers = [h for h in HEADERS if h != "CS10"]
    said = refusal(_xlsx(tmp_path, rows, headers))
    assert "Required column “CS10” is missing." in said


def test_an_unknown_extra_column_is_refused(period: Period, tmp_path: Path) -> None:
    rows = [[*row, "0912345678"] for row in _rows()]
    said = refusal(_xlsx(tmp_path, rows, [*HEADERS, "Số điện thoại"]))
    assert "Column 20: unknown column “Số điện thoại”." in said


def test_a_text_file_named_like_a_workbook_is_refused(period: Period, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.xlsx"
    path.write_text(csv_text([[str(c) for c in row] for row in _rows()]), encoding="utf-8")
    said = refusal(path)
    assert "The file is named like a workbook but is not one." in said


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b",,,\r\n,,\r\n"])
def test_an_empty_file_is_refused(period: Period, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(content)
    assert "The file is empty." in refusal(path)


def _windows_1258(text: str) -> bytes:
    """Encode as old Vietnamese Windows software did: tone marks as separate characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in unicodedata.normalize("NFC", text):
        marks = unicodedata.normalize("NFD", char)
        # Circumflex, breve and horn stay on their letter; the tone follows it.
        out.append(unicodedata.normalize("NFC", "".join(m for m in marks if m not in tones)))
        out.extend(m for m in marks if m in tones)
    return "".join(out).encode("cp1258")


def test_a_csv_saved_in_the_vietnamese_windows_code_page_is_refused(
    period: Period, tmp_path: Path
) -> None:
    data = _windows_1258(csv_text([[str(c) for c in row] for row in _rows()]))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(data)
    assert "A CSV file must be saved as UTF-8 text." in refusal(path)


def test_a_csv_saved_as_latin_1_is_refused(period: Period, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_bytes("Mã;Ghi chú\n03289;Café crème\n".encode("latin-1"))
    assert "A CSV file must be saved as UTF-8 text." in refusal(path)


def test_the_same_person_twice_is_refused_naming_both_rows(period: Period, tmp_path: Path) -> None:
    rows = _rows()
    rows.append(list(rows[1]))
    said = refusal(_xlsx(tmp_path, rows))
    assert "Row 6, column “Họ và tên”" in said
    assert "the same person is already on row 3" in said


def test_the_same_cccd_twice_is_refused(period: Period, tmp_path: Path) -> None:
    rows = _rows()
    first = rows[0][HEADERS.index("Số CCCD")]
    assert first  # the first generated person has a CCCD
    rows = _set(rows, 3, "Số CCCD", first)
    said = refusal(_xlsx(tmp_path, rows))
    assert "the same person is already on row 2" in said


def test_every_error_in_the_file_is_listed_at_once(period: Period, tmp_path: Path) -> None:
    rows = _set(_rows(5), 2, "Giới tính", "X")
    rows = _set(rows, 3, "Năm sinh", "85")
    rows = _set(rows, 5, "Nhóm đối tượng", "G9")
    said = refusal(_xlsx(tmp_path, rows))
    assert "Row 2, column “Giới tính”, value “X”: write Nam or Nữ" in said
    assert "Row 3, column “Năm sinh”, value “85”" in said
    assert "Row 5, column “Nhóm đối tượng”, value “G9”: not a target group" in said
    assert "3 errors; nothing was imported." in said


def test_an_error_below_a_blank_line_names_the_row_the_user_sees(
    period: Period, tmp_path: Path
) -> None:
    rows = _set(_rows(), 5, "CS1", 12)
    rows.insert(1, [""] * len(HEADERS))  # sheet row 3 left empty
    said = refusal(_xlsx(tmp_path, rows))
    assert "Row 6, column “CS1”, value “12”" in said


def test_a_csv_with_a_blank_line_names_the_row_the_user_sees(
    period: Period, tmp_path: Path
) -> None:
    rows = [[str(c) for c in row] for row in _set(_rows(), 4, "CS2", 99)]
    lines = csv_text(rows).splitlines()
    lines.insert(2, "")
    path = tmp_path / "danh-sach.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    said = refusal(path)
    assert "Row 5, column “CS2”, value “99”" in said


@override_settings(HOCTAP_IMPORT_MAX_ROWS=3)
def test_a_workbook_with_more_rows_than_allowed_is_refused_not_cut_short(
    period: Period, tmp_path: Path
) -> None:
    said = refusal(_xlsx(tmp_path, _rows(4)))
    assert "The file has more than 3 rows." in said


@override_settings(HOCTAP_IMPORT_MAX_ROWS=3)
def test_a_csv_with_more_rows_than_allowed_is_refused(period: Period, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_text(csv_text([[str(c) for c in row] for row in _rows(4)]), encoding="utf-8")
    assert "The file has more than 3 rows." in refusal(path)


def test_a_dry_run_prints_the_counts_and_writes_nothing(period: Period, tmp_path: Path) -> None:
    path = _xlsx(tmp_path, _rows())
    before = table_counts()
    said = run_import(path, "--dry-run")
    assert said.out.startswith("Dry run, nothing written. 4 rows: 4 assessments created")
    assert "4 new citizens" in said.out
    assert table_counts() == before
    assert "Imported. 4 rows: 4 assessments created" in run_import(path).out


def test_an_import_cannot_overwrite_a_decided_assessment(period: Period, tmp_path: Path) -> None:
    rows = _rows()
    run_import(_xlsx(tmp_path, rows), "--state", "decided")
    said = refusal(_xlsx(tmp_path, _set(rows, 3, "CS5", 0)), "--state", "decided")
    assert "Row 3" in said
    assert "already decided for this period; a decided assessment is locked" in said


def test_the_hoctap_command_exits_non_zero_with_a_message_and_no_traceback(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "khong-co.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hoctap",
            "import-assessments",
            str(missing),
            "--period",
            "2022-2023",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.startswith("CommandError: ")
    assert str(missing) in done.stderr
    assert "Traceback" not in done.stderr


def test_the_command_records_paper_consent_and_says_so_in_vietnamese(
    period: Period, tmp_path: Path, vietnamese: None
) -> None:
    said = run_import(_xlsx(tmp_path, _rows()), "--state", "decided").out
    assert "Đã công nhận: 4" in said
    assert "decided: 4" not in said
    assert "Đã ghi nhận sự đồng ý (thu bằng phiếu giấy) cho 4 người" in said
    people = Assessment.objects.filter(period=period).values_list("citizen", flat=True)
    assert Consent.objects.filter(citizen__in=people, method="paper").count() == 4
    again = run_import(_xlsx(tmp_path, _rows()), "--state", "decided").out
    assert "đồng ý" not in again


def test_an_import_without_the_peoples_consent_writes_nothing(
    period: Period, tmp_path: Path, commune_officer: User
) -> None:
    path = _xlsx(tmp_path, _rows())
    before = table_counts()
    with pytest.raises(ImportRefused) as refused:
        import_assessments(
            table=read_table(path.read_bytes(), name=path.name),
            period=period,
            scope=scope_for(commune_officer),
            actor=commune_officer,
        )
    assert "consent" in refused.value.messages[0]
    assert table_counts() == before

"""A filled template goes in, and the report shows exactly the people and scores it holds."""

import random
import unicodedata
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from hoctap.assessments.models import Assessment, Period
from hoctap.people.models import Citizen, Household
from hoctap.reports.rollups import AGE_BANDS, rollups_differences
from tests.transfer.commands import NEW_PERIOD, report, run_import
from tests.transfer.files import (
    CODES,
    GROUPS,
    HEADERS,
    Entry,
    Formula,
    csv_text,
    people,
    table_counts,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

CHILDREN = ("03289-CH1", "03289-CH2", "03289-CH3", "03289-CQ1", "03289-CQ2")


def _rate(part: int, whole: int) -> float:
    if not whole:
        return 0.0
    exact = Decimal(part) * 100 / Decimal(whole)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _counts(entries: Sequence[Entry]) -> dict[str, Any]:
    passed = sum(e.passed for e in entries)
    return {
        "enrolled": len(entries),
        "assessed": len(entries),
        "passed": passed,
        "not_passed": len(entries) - passed,
        "pass_rate": _rate(passed, len(entries)),
    }


def _indicators(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    rows = []
    for i, code in enumerate(CODES):
        scores = [e.scores[i] for e in entries]
        mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(
            {"code": code, "mean_final": float(mean), "below_min": sum(s < 5 for s in scores)}
        )
    return rows


def _template_headers(tmp_path: Path) -> list[str]:
    target = tmp_path / "mau.xlsx"
    call_command("template", "--period", NEW_PERIOD, "--unit", "03289", "-o", str(target))
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0)
    return [str(h) for h in next(sheet.iter_rows())]


def _filled(tmp_path: Path, entries: Sequence[Entry]) -> Path:
    headers = _template_headers(tmp_path)
    rows = [e.cells(headers) for e in entries]
    return write_xlsx(tmp_path / "danh-sach.xlsx", rows, headers)


def test_a_filled_template_gives_the_report_computed_from_its_rows(
    period: Period, tmp_path: Path
) -> None:
    entries = people(30, seed=2022)
    assert 0 < sum(e.passed for e in entries) < 30  # both outcomes are exercised
    said = run_import(_filled(tmp_path, entries), "--state", "decided")
    assert "30 rows: 30 assessments created, 0 updated, 0 unchanged" in said.out
    assert "30 new citizens" in said.out
    body = report()
    assert body["totals"] == _counts(entries)
    assert body["by_group"] == [
        {
            "code": code,
            "name": body["by_group"][i]["name"],
            **_counts([e for e in entries if GROUPS[e.group] == code]),
        }
        for i, code in enumerate(("G1", "G2", "G3"))
    ]
    by_unit = {row["code"]: row for row in body["by_unit"]}
    assert set(by_unit) == set(CHILDREN)
    for code in CHILDREN:
        expected = _counts([e for e in entries if e.unit == code])
        assert {k: by_unit[code][k] for k in expected} == expected, code
    assert body["by_indicator"] == _indicators(entries)
    assert rollups_differences(period) == []


def test_the_people_are_counted_by_sex_ethnicity_and_age_as_written(
    period: Period, tmp_path: Path
) -> None:
    entries = people(30, seed=2022)
    run_import(_filled(tmp_path, entries), "--state", "decided")
    body = report()
    by_sex = {row["code"]: row["enrolled"] for row in body["by_sex"]}
    assert by_sex == {
        "male": sum(e.sex == "Nam" for e in entries),
        "female": sum(e.sex == "Nữ" for e in entries),
    }
    names = {"Thái": "Thái", "Mông": "Mông", "Kinh": "Kinh", "Khơ Mú": "Khơ-mú", "": "Not recorded"}
    by_ethnicity = {row["name"]: row["enrolled"] for row in body["by_ethnicity"]}
    assert by_ethnicity == dict(Counter(names[e.ethnicity] for e in entries))
    # Age at the start of the period, in the report's bands.
    ages = Counter(
        next(label for low, high, label in AGE_BANDS if low <= 2022 - e.birth_year <= high)
        for e in entries
    )
    assert {row["code"]: row["enrolled"] for row in body["by_age_band"]} == {
        label: ages[label] for _low, _high, label in AGE_BANDS
    }


def test_the_district_report_counts_the_imported_people_under_quai_cang(
    period: Period, tmp_path: Path
) -> None:
    entries = people(30, seed=7)
    run_import(_filled(tmp_path, entries), "--state", "decided")
    district = {row["code"]: row for row in report(unit="099")["by_unit"]}
    assert district["03289"]["enrolled"] == 30
    assert district["03274"]["enrolled"] == 0
    assert district["03253"]["enrolled"] == 0


def test_importing_the_same_file_again_changes_nothing(period: Period, tmp_path: Path) -> None:
    path = _filled(tmp_path, people(30, seed=2022))
    run_import(path, "--state", "decided")
    before, counts = report(), table_counts()
    said = run_import(path, "--state", "decided")
    assert "30 rows: 0 assessments created, 0 updated, 30 unchanged" in said.out
    assert "0 new citizens, 30 matched" in said.out
    assert report() == before
    assert table_counts() == counts
    assert rollups_differences(period) == []


def _as_typed_elsewhere(entries: Sequence[Entry]) -> tuple[list[str], list[list[str]]]:
    """The same people as a CSV typed elsewhere: decomposed accents, odd headers, other order."""
    odd = {
        "Họ và tên": "  họ VÀ tên ",
        "Mã đơn vị": "MÃ ĐƠN VỊ",
        "Nhóm đối tượng": "nhóm   đối tượng",
        "CS1": "cs1",
        "Ghi chú": "GHI CHÚ ",
    }
    order = list(HEADERS)
    random.Random(5).shuffle(order)
    headers = [unicodedata.normalize("NFD", odd.get(h, h)) for h in order]
    rows = [[unicodedata.normalize("NFD", str(e.by_header()[h])) for h in order] for e in entries]
    return headers, rows


def test_the_same_people_as_a_differently_typed_csv_change_no_figure(
    period: Period, tmp_path: Path
) -> None:
    entries = people(30, seed=2022)
    run_import(_filled(tmp_path, entries), "--state", "decided")
    before, citizens = report(), Citizen.objects.count()
    headers, rows = _as_typed_elsewhere(entries)
    names = [row[headers.index(unicodedata.normalize("NFD", "  họ VÀ tên "))] for row in rows]
    assert all(unicodedata.normalize("NFC", name) != name for name in names)
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(rows, headers).encode("utf-8"))
    said = run_import(path, "--state", "decided")
    assert "0 assessments created, 0 updated, 30 unchanged" in said.out
    assert report() == before
    assert Citizen.objects.count() == citizens
    assert rollups_differences(period) == []


def test_a_formula_cell_is_read_as_its_saved_value_not_computed(
    period: Period, tmp_path: Path
) -> None:
    entry = people(1, seed=3)[0]
    cells = entry.cells()
    cells[HEADERS.index("CS1")] = Formula("=1+1", 7)
    run_import(write_xlsx(tmp_path / "f.xlsx", [cells]), "--state", "decided")
    assessment = Assessment.objects.get(period=period)
    assert assessment.final_scores["CS1"] == "7"
    assert assessment.final_total == 7 + sum(entry.scores[1:])


def test_a_cccd_with_leading_zeros_written_as_text_survives(period: Period, tmp_path: Path) -> None:
    entry = people(1, seed=4)[0]
    cells = entry.cells()
    cells[HEADERS.index("Số CCCD")] = "001090123456"
    cells[HEADERS.index("Mã hộ")] = "007"
    run_import(write_xlsx(tmp_path / "z.xlsx", [cells]))
    citizen = Citizen.objects.get(national_id="001090123456")
    assert citizen.full_name == entry.name
    assert Household.objects.filter(code="007", unit__code=entry.unit).exists()


@pytest.mark.parametrize("state", ["submitted", "decided"])
def test_people_with_the_same_facts_are_each_counted(
    period: Period, tmp_path: Path, state: str
) -> None:
    """The import adds one contribution per kind of row, times the rows of that kind."""
    first = people(1, seed=31)[0]
    # Four people alike in unit, group, sex, ethnicity and birth year: three with the same
    # scores, one with others (in a decided import the scores are part of the kind).
    twins = [
        Entry(**{**vars(first), "name": f"{first.name} {n}", "cccd": f"0110310000{n:02d}"})
        for n in range(3)
    ]
    other = Entry(
        **{**vars(first), "name": f"{first.name} 9", "cccd": "011031000099", "scores": (9,) * 10}
    )
    entries = [*twins, other, *people(5, seed=32)]
    run_import(_filled(tmp_path, entries), "--state", state)

    assert rollups_differences(period) == []
    body = report()
    assert body["totals"]["enrolled"] == len(entries)
    if state == "decided":
        assert body["totals"] == _counts(entries)
        assert body["by_indicator"] == _indicators(entries)

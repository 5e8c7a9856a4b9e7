"""The command's and the page's way in: rows checked as they are read, never all held as text."""

import pytest
from django.test import override_settings

from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import Assessment, Period
from hoctap.people.models import ConsentMethod
from hoctap.transfer import importer
from hoctap.transfer.importer import ImportRefused, import_assessments
from hoctap.transfer.reader import FileRefused, read_table, table_stream
from tests.transfer.files import HEADERS, csv_text, people, table_counts

EVERYTHING = Scope(paths=(), roles=frozenset(), everything=True)


def test_a_stream_numbers_rows_as_the_sheet_does_and_pads_short_ones() -> None:
    text = "a,b,c\n1,2,3\n\n,,\n4,5\n"
    stream = table_stream(text.encode(), name="x.csv")
    assert stream.headers == ["a", "b", "c"]
    assert stream.count == 0  # nothing read beyond the header yet
    # Blank rows are skipped but keep their place in the numbering; a short row is padded.
    assert list(stream.numbered()) == [(2, ["1", "2", "3"]), (5, ["4", "5", ""])]
    assert stream.count == 2
    with pytest.raises(RuntimeError):
        stream.numbered()
    whole = read_table(text.encode(), name="x.csv")
    assert list(whole.numbered()) == [(2, ["1", "2", "3"]), (5, ["4", "5", ""])]


@override_settings(HOCTAP_IMPORT_MAX_ROWS=3)
def test_a_stream_refuses_the_row_past_the_limit_when_it_reaches_it() -> None:
    rows = [[str(i)] for i in range(5)]
    stream = table_stream(csv_text(rows, headers=["n"]).encode(), name="x.csv")
    read = stream.numbered()
    assert [next(read) for _ in range(3)] == [(2, ["0"]), (3, ["1"]), (4, ["2"])]
    with pytest.raises(FileRefused, match="more than 3 rows"):
        next(read)


def test_an_empty_stream_is_refused_before_any_row_is_checked() -> None:
    with pytest.raises(FileRefused, match="empty"):
        table_stream(b"\n\n,,\n", name="x.csv")


@pytest.mark.django_db
def test_units_are_looked_up_chunk_by_chunk_and_every_error_still_reported(
    period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit first met in a later chunk is found; an unknown one is refused in any chunk."""
    monkeypatch.setattr(importer, "CHUNK", 2)
    entries = people(7, seed=21)
    units = ["03289-CH1", "03289-CH1", "03289-CH2", "03289-CH1", "99999", "03289-CQ1", "99999"]
    rows = []
    for entry, unit in zip(entries, units, strict=True):
        cells = [str(c) for c in entry.cells()]
        cells[HEADERS.index("Mã đơn vị")] = unit
        rows.append(cells)
    before = table_counts()
    with pytest.raises(ImportRefused) as refused:
        import_assessments(
            table=table_stream(csv_text(rows).encode(), name="a.csv"),
            period=period,
            scope=EVERYTHING,
            consent=ConsentMethod.PAPER,
        )
    assert [m.split(",")[0] for m in refused.value.messages] == ["Row 6", "Row 8"]
    assert table_counts() == before

    good = [row for row, unit in zip(rows, units, strict=True) if unit != "99999"]
    summary = import_assessments(
        table=table_stream(csv_text(good).encode(), name="a.csv"),
        period=period,
        scope=EVERYTHING,
        consent=ConsentMethod.PAPER,
    )
    assert summary.created == 5
    by_unit = sorted(Assessment.objects.filter(period=period).values_list("unit__code", flat=True))
    assert by_unit == sorted(u for u in units if u != "99999")


@pytest.mark.django_db
def test_progress_is_told_as_rows_are_checked_and_before_anything_is_written(
    period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK", 2)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 4)
    rows = [[str(c) for c in entry.cells()] for entry in people(9, seed=23)]
    told: list[tuple[int, int]] = []
    summary = import_assessments(
        table=table_stream(csv_text(rows).encode(), name="a.csv"),
        period=period,
        scope=EVERYTHING,
        progress=lambda n: told.append((n, Assessment.objects.filter(period=period).count())),
        consent=ConsentMethod.PAPER,
    )
    # Every 4 rows as chunks of 2 pass that mark, then the total; nothing written meanwhile.
    assert told == [(4, 0), (8, 0), (9, 0)]
    assert summary.created == 9

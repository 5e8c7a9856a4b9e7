"""Helpers shared by every spreadsheet and CSV export."""

import csv
from collections.abc import Iterable, Iterator, Sequence

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"


def neutralise(value: object) -> object:
    """Return the value, prefixed with an apostrophe when a spreadsheet would run it."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns the line, so CSV can be produced row by row."""

    def write(self, value: str) -> str:
        return value


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Yield CSV lines (BOM first, every cell neutralised) without holding the file in memory."""
    writer = csv.writer(_Echo())
    yield UTF8_BOM
    yield writer.writerow([neutralise(c) for c in header])
    for row in rows:
        yield writer.writerow([neutralise(c) for c in row])


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return the whole CSV as one text, BOM first, every cell neutralised."""
    return "".join(csv_stream(header, rows))

"""Reading an uploaded list (.xlsx or .csv) safely: type by content, container checked first.

An .xlsx is a zip of XML. Before any parser sees it, the zip's directory is checked
(member count, declared sizes, compression ratio) and the sheet is inflated only up to
a cap, so a zip bomb is refused in a fraction of a second. calamine (Rust, no DTD or
entity expansion) then reads cell values; formulas are never evaluated, only their
cached results are read.
"""

import copy
import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from hoctap.core.memory import collector_paused

MAX_MEMBERS = 200
MAX_RATIO = 200
_CHUNK = 1 << 20
_NUMBERS_KEPT = 10_000


class FileRefused(Exception):
    """The file cannot be read; `message` says why in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """A file read whole: the header row and the data rows, every cell as text."""

    headers: list[str]
    rows: list[list[str]]
    # The sheet row number of each data row (the header is row 1; blank rows are skipped).
    numbers: list[int] = field(default_factory=list)

    def numbered(self) -> Iterator[tuple[int, list[str]]]:
        """Yield each data row with its row number in the sheet."""
        return zip(self.numbers or range(2, len(self.rows) + 2), self.rows, strict=True)

    def release(self) -> None:
        """Let the cells go once the rows have been checked (memory)."""
        self.rows.clear()


class TableStream:
    """A file read row by row as it is checked: the rows are never all held as text.

    For an .xlsx calamine still holds the sheet's values, but the text of half a million rows
    (four times as much) is never built at once. The rows can be gone through once; a row
    beyond HOCTAP_IMPORT_MAX_ROWS, or a NUL character, raises FileRefused as it is reached.
    """

    def __init__(self, headers: list[str], rows: Iterator[tuple[int, list[str]]]) -> None:
        self.headers = headers
        self._rows = rows
        # How many data rows have been read so far.
        self.count = 0
        self._read = False

    def numbered(self) -> Iterator[tuple[int, list[str]]]:
        if self._read:
            # A second pass would find no rows and pass for an empty file.
            raise RuntimeError("a TableStream's rows can be gone through once")
        self._read = True
        return self._numbered()

    def _numbered(self) -> Iterator[tuple[int, list[str]]]:
        max_rows: int = settings.HOCTAP_IMPORT_MAX_ROWS
        width = len(self.headers)
        for number, row in self._rows:
            self.count += 1
            if self.count > max_rows:
                raise FileRefused(_("The file has more than %(n)d rows.") % {"n": max_rows})
            yield number, row if len(row) == width else (row + [""] * width)[:width]

    def release(self) -> None:
        """Nothing is kept: the rows were read as they were checked."""


def _cell(value: object) -> str:
    if type(value) is str:  # most cells: the checks below are for the others
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


class _Numbers(dict[float, str]):
    """The text of each distinct number of a sheet, made once: a list repeats its scores."""

    def __missing__(self, value: float) -> str:
        text = _cell(value)
        if len(self) < _NUMBERS_KEPT:  # a sheet of a million distinct numbers
            self[value] = text
        return text


def _check_zip(data: bytes) -> None:
    """Refuse a container that would inflate beyond the limits, without inflating it fully."""
    limit: int = settings.HOCTAP_IMPORT_MAX_XML_BYTES
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileRefused(_("The file is not a valid Excel (.xlsx) workbook.")) from None
    members = archive.infolist()
    names = {m.filename for m in members}
    if len(members) > MAX_MEMBERS or "[Content_Types].xml" not in names:
        raise FileRefused(_("The file is not a valid Excel (.xlsx) workbook."))
    declared = sum(m.file_size for m in members)
    ratio = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
    if declared > limit or ratio > MAX_RATIO:
        raise FileRefused(_("The workbook would expand to too much data; it is refused."))
    for member in members:
        # Declared sizes can lie, and zipfile stops (and checks the CRC) at the declared
        # size: claim more than the limit so inflating runs to the data's real end or past it.
        probe = copy.copy(member)
        probe.file_size = limit + 2 * _CHUNK
        try:
            with archive.open(probe) as stream:
                total = 0
                while chunk := stream.read(_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise FileRefused(
                            _("The workbook would expand to too much data; it is refused.")
                        )
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            raise FileRefused(_("The file is not a valid Excel (.xlsx) workbook.")) from None


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """Yield the first sheet's rows, every cell as text, once the container has passed."""
    _check_zip(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        numbers = _Numbers()
        for number, row in enumerate(sheet.iter_rows(), start=1):
            # Most cells are text, stripped inline; numbers (scores) repeat, converted once.
            cells = [
                v.strip() if type(v) is str else numbers[v] if type(v) is float else _cell(v)
                for v in row
            ]
            if "\x00" in "".join(cells):
                # Excel escapes control characters in its XML; no database stores a NUL.
                raise FileRefused(
                    _("Row %(row)d holds a NUL character; remove it and save again.")
                    % {"row": number}
                )
            yield cells
    except CalamineError:
        raise FileRefused(_("The workbook cannot be read; save it again from Excel.")) from None


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(_("A CSV file must be saved as UTF-8 text.")) from None
    if "\x00" in text:
        raise FileRefused(_("The file is not a spreadsheet or a CSV text file."))
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return ([cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect))


def _rows(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    """Check the file's size and type; return its non-blank rows with their row numbers."""
    limit: int = settings.HOCTAP_IMPORT_MAX_BYTES
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if len(data) > limit:
        raise FileRefused(_("The file is larger than %(mb)d MB.") % {"mb": limit // 1_048_576})
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise FileRefused(_("The file is named like a workbook but is not one."))
    else:
        rows = _csv_rows(data)
    return ((number, row) for number, row in enumerate(rows, start=1) if any(row))


def table_stream(data: bytes, *, name: str = "") -> TableStream:
    """Read the header row now and the data rows as they are checked (see TableStream)."""
    rows = _rows(data, name)
    first = next(rows, None)
    if first is None:
        raise FileRefused(_("The file is empty."))
    return TableStream(first[1], rows)


@collector_paused()
def read_table(data: bytes, *, name: str = "") -> Table:
    """Return the header row and the data rows of the file's first sheet, every cell as text."""
    stream = table_stream(data, name=name)
    numbered = list(stream.numbered())
    return Table(
        headers=stream.headers,
        rows=[row for _number, row in numbered],
        numbers=[number for number, _row in numbered],
    )

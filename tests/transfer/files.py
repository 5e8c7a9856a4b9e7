"""Building import files the way users make them: workbooks, CSV text, hostile zips."""

import csv
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from hoctap.assessments.models import Assessment, AssessmentEvent
from hoctap.people.models import Citizen, Household
from hoctap.reports.models import ReportCell, ReportIndicatorCell

CODES = tuple(f"CS{i}" for i in range(1, 11))
HEADERS = [
    "Mã đơn vị",
    "Họ và tên",
    "Năm sinh",
    "Giới tính",
    "Dân tộc",
    "Số CCCD",
    "Mã hộ",
    "Nhóm đối tượng",
    *CODES,
    "Ghi chú",
]
UNITS = ("03289", "03289-CH1", "03289-CH2", "03289-CH3", "03289-CQ1", "03289-CQ2")
# What a user may write in the group column, and the group it means.
GROUPS = {
    "G1": "G1",
    "G2": "G2",
    "G3": "G3",
    "Nông dân và người lao động": "G1",
    "Người buôn bán tự do, kinh doanh": "G2",
    "Cán bộ, công chức, viên chức": "G3",
}
FAMILY = ("Lò", "Quàng", "Cà", "Lường", "Tòng", "Nguyễn", "Giàng", "Vừ", "Đỗ", "Lầu")
GIVEN = ("Văn Khánh", "Thị Hương", "Văn Đức", "Thị Ỏn", "A Páo", "Thị Xuân", "Văn Ấn", "Thị Ngọc")


@dataclass(frozen=True)
class Formula:
    """A formula cell as Excel saves it: the formula and the value it last computed."""

    text: str
    cached: int


Cell = str | int | float | Formula


@dataclass(frozen=True)
class Entry:
    """One person as a row of the import file."""

    unit: str
    name: str
    birth_year: int
    sex: str
    ethnicity: str
    cccd: str
    household: str
    group: str
    scores: tuple[int, ...]
    note: str = ""

    @property
    def passed(self) -> bool:
        return sum(self.scores) >= 80 and min(self.scores) >= 5

    def by_header(self) -> dict[str, Cell]:
        cells: dict[str, Cell] = {
            "Mã đơn vị": self.unit,
            "Họ và tên": self.name,
            "Năm sinh": self.birth_year,
            "Giới tính": self.sex,
            "Dân tộc": self.ethnicity,
            "Số CCCD": self.cccd,
            "Mã hộ": self.household,
            "Nhóm đối tượng": self.group,
            "Ghi chú": self.note,
        }
        cells.update(zip(CODES, self.scores, strict=True))
        return cells

    def cells(self, headers: Sequence[str] = HEADERS) -> list[Cell]:
        values = self.by_header()
        return [values[h] for h in headers]


def _scores(rng: random.Random) -> tuple[int, ...]:
    scores = [rng.randint(6, 10) for _ in CODES]
    if rng.random() < 0.2:
        scores[rng.randrange(len(scores))] = rng.randint(0, 4)
    return tuple(scores)


def people(count: int, *, seed: int) -> list[Entry]:
    """Return `count` distinct, valid people of Xã Quài Cang with random scores."""
    rng = random.Random(seed)
    result = []
    for i in range(count):
        with_cccd = i % 3 == 0
        result.append(
            Entry(
                unit=UNITS[i % len(UNITS)],
                name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} {i:02d}",
                birth_year=rng.randint(1950, 2005),
                sex=rng.choice(("Nam", "Nữ")),
                ethnicity=rng.choice(("Thái", "Mông", "Kinh", "Khơ Mú", "")),
                cccd=f"0110{seed % 100:02d}{i:06d}" if with_cccd else "",
                household="" if with_cccd else f"00{i % 4}",
                group=rng.choice(list(GROUPS)),
                scores=_scores(rng),
            )
        )
    return result


def write_xlsx(
    path: Path, rows: Sequence[Sequence[Cell]], headers: Sequence[str] = HEADERS
) -> Path:
    """Write a workbook like a filled template: codes as text, numbers as numbers."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("Danh sách")
    sheet.write_row(0, 0, list(headers))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, Formula):
                sheet.write_formula(r, c, value.text, None, value.cached)
            elif isinstance(value, str):
                sheet.write_string(r, c, value, text)
            else:
                sheet.write_number(r, c, value)
    book.close()
    return path


def csv_text(rows: Sequence[Sequence[str]], headers: Sequence[str] = HEADERS) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    """Count every kind of row an import may write."""
    models = (Citizen, Household, Assessment, AssessmentEvent, ReportCell, ReportIndicatorCell)
    return {m.__name__: m.objects.count() for m in models}


CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def write_zip_member(path: Path, name: str, piece: bytes, size: int, level: int = 6) -> Path:
    """Write a workbook-shaped zip whose member `name` repeats `piece` up to `size` bytes.

    The member is streamed into the archive so the test never holds it in memory.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open(name, "w") as member:
            member.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            written = 0
            while written < size:
                member.write(piece)
                written += len(piece)
            member.write(b"</sheetData></worksheet>")
    return path


def lie_about_size(path: Path, name: str, declared: int) -> Path:
    """Rewrite both headers of member `name` to claim it inflates to `declared` bytes.

    The CRC is set to that of the claimed prefix, as a forger would, so that only
    counting the bytes really inflated can tell the lie.
    """
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
        with archive.open(info) as member:
            crc = zlib.crc32(member.read(declared))
    local = info.header_offset
    struct.pack_into("<II", data, local + 14, crc, info.compress_size)
    struct.pack_into("<I", data, local + 22, declared)
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + length] == name.encode():
            struct.pack_into("<I", data, start + 16, crc)
            struct.pack_into("<I", data, start + 24, declared)
        start += 4
    path.write_bytes(bytes(data))
    return path

"""The import file's columns (spec §5): headers matched after NFC, trimming and case folding."""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

UNIT, NAME, BIRTH_YEAR, SEX, ETHNICITY, NATIONAL_ID, HOUSEHOLD, GROUP, NOTE = (
    "Mã đơn vị",
    "Họ và tên",
    "Năm sinh",
    "Giới tính",
    "Dân tộc",
    "Số CCCD",
    "Mã hộ",
    "Nhóm đối tượng",
    "Ghi chú",
)
REQUIRED = (UNIT, NAME, BIRTH_YEAR, SEX, GROUP)
OPTIONAL = (ETHNICITY, NATIONAL_ID, HOUSEHOLD, NOTE)
# Columns whose values are codes: kept as text so that leading zeros survive.
TEXT_COLUMNS = (UNIT, NATIONAL_ID, HOUSEHOLD)


def header_key(value: str) -> str:
    """Return the form headers are compared in."""
    return " ".join(unicodedata.normalize("NFC", value).split()).casefold()


@dataclass(frozen=True)
class Layout:
    """Where each known column stands in the file."""

    positions: dict[str, int]
    indicators: dict[str, int]


def layout_of(headers: list[str], indicator_codes: tuple[str, ...]) -> tuple[Layout, list[str]]:
    """Match the header row against the spec's columns and the scheme's indicators."""
    known = {header_key(h): h for h in (*REQUIRED, *OPTIONAL)}
    codes = {header_key(c): c for c in indicator_codes}
    positions: dict[str, int] = {}
    indicators: dict[str, int] = {}
    errors: list[str] = []
    for index, raw in enumerate(headers):
        key = header_key(raw)
        if not key:
            continue
        target = positions if key in known else indicators if key in codes else None
        name = known.get(key) or codes.get(key)
        if target is None or name is None:
            errors.append(_("Column %(c)s: unknown column “%(h)s”.") % {"c": index + 1, "h": raw})
        elif name in target:
            errors.append(_("Column “%(h)s” appears twice.") % {"h": raw})
        else:
            target[name] = index
    for name in REQUIRED:
        if name not in positions:
            errors.append(_("Required column “%(h)s” is missing.") % {"h": name})
    for code in indicator_codes:
        if code not in indicators:
            errors.append(_("Required column “%(h)s” is missing.") % {"h": code})
    return Layout(positions, indicators), errors

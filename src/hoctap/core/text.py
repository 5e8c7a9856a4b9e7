"""Unicode handling for Vietnamese text: composed storage and accent-insensitive keys."""

import functools
import re
import sys
import unicodedata

# đ/Đ are letters of their own, not d with a mark, so NFD does not split them.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


@functools.cache
def _marks() -> dict[int, None]:
    """Every combining mark, for one `translate` to delete (an import folds 100,000 names)."""
    return dict.fromkeys(c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c)))


def nfc(value: str) -> str:
    """Return the text in composed form (NFC) with runs of white space made single.

    `str.split()` splits on exactly the characters `\\s` matches in a str pattern.
    """
    return " ".join(unicodedata.normalize("NFC", value).split())


def fold(value: str) -> str:
    """Return a lower-case key without diacritics: 'Nguyễn Văn Đức' -> 'nguyen van duc'."""
    if value.isascii():
        return " ".join(value.split()).casefold()
    decomposed = unicodedata.normalize("NFD", nfc(value).translate(_FOLD_EXTRA))
    return decomposed.translate(_marks()).casefold()


def fold_compact(value: str) -> str:
    """Return the folded key without spaces, hyphens or apostrophes ('H'Mông' -> 'hmong')."""
    return re.sub(r"[\s\-'’‘.]", "", fold(value))

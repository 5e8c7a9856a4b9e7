"""Unicode handling for Vietnamese text: composed storage and accent-insensitive keys."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d with a mark, so NFD does not split them.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(value: str) -> str:
    """Return the text in composed form (NFC) with runs of white space made single."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Return a lower-case key without diacritics: 'Nguyễn Văn Đức' -> 'nguyen van duc'."""
    decomposed = unicodedata.normalize("NFD", nfc(value).translate(_FOLD_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.casefold()


def fold_compact(value: str) -> str:
    """Return the folded key without spaces, hyphens or apostrophes ('H'Mông' -> 'hmong')."""
    return re.sub(r"[\s\-'’‘.]", "", fold(value))

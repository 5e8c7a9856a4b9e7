"""`nfc` and `fold`, the keys people are matched by, against their plain definitions.

The functions in hoctap.core.text are written for speed (an import folds every name of a
100,000-row file); these are the definitions they must keep to, character for character.
"""

import re
import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from hoctap.core.text import fold, nfc

_SPACES = re.compile(r"\s+")


def _nfc(value: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def _fold(value: str) -> str:
    text = _nfc(value).translate(str.maketrans("đĐ", "dd"))
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# Vietnamese letters, composed and decomposed, every kind of white space, and anything else.
_vietnamese = st.text(
    alphabet=st.sampled_from(
        "aăâeêioôơuưyđĐ AĂÂEÊIOÔƠUƯY\t\n\u00a0\u2003\u3000'’-."
        "\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b"
    ),
    max_size=30,
)


@given(st.one_of(_vietnamese, st.text(max_size=30)))
@example("Nguyễn Văn  Đức ")
@example("Nguye\u0302\u0303n  Thi\u0323 Hoa")
@example("  ASCII\tonly \n")
@example("\u1e9b\u0323")
def test_the_fast_forms_keep_to_the_definitions(value: str) -> None:
    assert nfc(value) == _nfc(value)
    assert fold(value) == _fold(value)


def test_examples_a_reader_can_check() -> None:
    assert fold("Nguyễn Văn Đức") == "nguyen van duc"
    assert fold("Nguye\u0302\u0303n  VĂN đức") == "nguyen van duc"
    assert nfc("  Lò\u00a0 Văn\tPọng ") == "Lò Văn Pọng"

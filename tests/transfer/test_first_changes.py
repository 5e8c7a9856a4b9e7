"""The import's shortcut for a new assessment's changes gives the canonical text, always.

The text is hashed into the assessment's chain and stored: were the two ever to differ, the
chain's verification would fail. No database is involved.
"""

import json

from hypothesis import given
from hypothesis import strategies as st

from hoctap.transfer.importer import FirstChanges, _changes

_scores = st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=12)


@given(scores=st.lists(_scores, min_size=1, max_size=4), result=st.text(max_size=8))
def test_the_shortcut_gives_the_canonical_changes(
    scores: list[dict[str, str]], result: str
) -> None:
    # One encoder for several rows, as an import uses it: parts kept from one row serve the next.
    encode = FirstChanges()
    for row in scores:
        assert encode(row, result) == _changes(row, result=result)


def test_a_typical_row_in_sorted_order_with_a_result() -> None:
    text = FirstChanges()({"CS2": "7.5", "CS10": "10", "CS1": "5"}, "dat")
    assert text == (
        '{"final":{"CS1":[null,"5"],"CS10":[null,"10"],"CS2":[null,"7.5"]},"result":"dat"}'
    )
    assert json.loads(text) == {
        "final": {"CS1": [None, "5"], "CS10": [None, "10"], "CS2": [None, "7.5"]},
        "result": "dat",
    }

"""`event_hasher`, the bulk writers' shortcut, gives the digest `event_hash` gives, always.

The canonical form is frozen (ADR 0024): were the two ever to differ, every chain an import
wrote would fail verification. No database is involved.
"""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoctap.audit.chain import GENESIS, canonical, event_hash, event_hasher

_text = st.text(max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=10,
)
# Hypothesis takes naive bounds and puts the zone on each moment it draws.
_moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=7))]),
)


@given(
    at=_moments,
    actor_id=st.none() | st.integers(min_value=1),
    access_code_id=st.none() | st.integers(min_value=1),
    action=_text,
    from_state=_text,
    to_state=_text,
    reason=_text,
    assessment_id=st.uuids(),
    seq=st.integers(min_value=1, max_value=10**6),
    changes=_json,
    # A stored chain holds hex digests; any other text must still be encoded as JSON would.
    prev_hash=st.just(GENESIS)
    | st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
    | _text,
)
def test_the_shortcut_gives_the_canonical_digest(
    at: datetime,
    actor_id: int | None,
    access_code_id: int | None,
    action: str,
    from_state: str,
    to_state: str,
    reason: str,
    assessment_id: uuid.UUID,
    seq: int,
    changes: Any,
    prev_hash: str,
) -> None:
    shared: dict[str, Any] = {
        "at": at,
        "actor_id": actor_id,
        "access_code_id": access_code_id,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
    }
    expected = event_hash(
        **shared, assessment_id=assessment_id, seq=seq, changes=changes, prev_hash=prev_hash
    )
    assert event_hasher(**shared)(assessment_id, seq, canonical(changes), prev_hash) == expected


def test_an_import_event_with_vietnamese_text_and_a_local_moment() -> None:
    """The case the importer hashes 100,000 times, with text that JSON escapes."""
    at = datetime(2024, 6, 1, 7, 30, tzinfo=timezone(timedelta(hours=7)))
    shared: dict[str, Any] = {
        "at": at,
        "actor_id": None,
        "access_code_id": None,
        "action": "import",
        "from_state": "submitted",
        "to_state": "submitted",
        "reason": "Nhập từ tệp “Đợt 1”",
    }
    aid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    changes = {"final": {"CS2": [None, "7.5"], "CS1": [None, "10"]}}
    hasher = event_hasher(**shared)
    text = canonical(changes)
    first = hasher(aid, 1, text, GENESIS)
    assert first == event_hash(
        **shared, assessment_id=aid, seq=1, changes=changes, prev_hash=GENESIS
    )
    assert hasher(aid, 2, text, first) == event_hash(
        **shared, assessment_id=aid, seq=2, changes=changes, prev_hash=first
    )
    assert hasher(aid, 2, text, first) != hasher(aid, 2, text, GENESIS)


def test_an_id_or_place_event_hash_would_encode_otherwise_is_refused() -> None:
    hasher = event_hasher(
        at=datetime(2024, 6, 1, tzinfo=UTC),
        actor_id=None,
        access_code_id=None,
        action="import",
        from_state="submitted",
        to_state="submitted",
        reason="",
    )
    aid = uuid.uuid4()
    with pytest.raises(TypeError):
        hasher(str(aid), 1, "{}", GENESIS)  # type: ignore[arg-type]
    # JSON writes None as null where the shortcut would quote its text.
    with pytest.raises(TypeError):
        hasher(aid, 1, "{}", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hasher(aid, True, "{}", GENESIS)

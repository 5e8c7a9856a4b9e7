"""The hash chains of the audit record: the canonical form of an entry and its SHA-256.

Each entry's hash covers its content and the hash of the entry before it, so altering,
removing or inserting an entry breaks the chain from there on (ADR 0024). The canonical form
below is frozen: changing it would make every stored chain fail verification.
"""

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

# The prev_hash of the first entry of a chain.
GENESIS = ""

_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def canonical(value: Any) -> str:
    """Return a value as the chain encodes it: JSON, keys sorted, no spaces, ASCII only."""
    return _dumps(value)


@functools.lru_cache(maxsize=64)  # a bulk write stamps every row with one moment
def stamp(at: datetime) -> str:
    """Return a moment as the chain writes it: UTC, to the microsecond (both databases keep it)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(_dumps(payload).encode()).hexdigest()


def event_hash(
    *,
    assessment_id: UUID,
    seq: int,
    at: datetime,
    actor_id: int | None,
    access_code_id: int | None,
    action: str,
    from_state: str,
    to_state: str,
    reason: str,
    changes: Any,
    prev_hash: str,
) -> str:
    """Return the hash of one assessment event, chained to `prev_hash`."""
    return _digest(
        {
            "chain": "assessment_event",
            "assessment": str(assessment_id),
            "seq": seq,
            "at": stamp(at),
            "actor": actor_id,
            "access_code": access_code_id,
            "action": action,
            "from": from_state,
            "to": to_state,
            "reason": reason,
            "changes": changes,
            "prev": prev_hash,
        }
    )


def event_hasher(
    *,
    at: datetime,
    actor_id: int | None,
    access_code_id: int | None,
    action: str,
    from_state: str,
    to_state: str,
    reason: str,
) -> Callable[[UUID, int, str, str], str]:
    """Return `hash(assessment_id, seq, canonical(changes), prev_hash)` for many events.

    The same digest as `event_hash`, for a bulk write (an import chains 100,000 events): the
    canonical text of the fields the events share is encoded once, in the key order
    `sort_keys` gives, and each event adds only its own values. The changes come encoded,
    so that the writer can store the same text. A test holds the two functions equal.
    """
    head = (
        f'{{"access_code":{_dumps(access_code_id)},"action":{_dumps(action)}'
        f',"actor":{_dumps(actor_id)},"assessment":"'
    )
    after_assessment = f'","at":{_dumps(stamp(at))},"chain":"assessment_event","changes":'
    after_changes = f',"from":{_dumps(from_state)},"prev":'
    after_prev = f',"reason":{_dumps(reason)},"seq":'
    tail = f',"to":{_dumps(to_state)}}}'
    sha256 = hashlib.sha256

    def digest(assessment_id: UUID, seq: int, changes: str, prev_hash: str) -> str:
        # A UUID's text needs no escaping and an int is its own JSON; anything else (a str id,
        # a bool seq) would be encoded otherwise by event_hash, so it is refused.
        if not isinstance(assessment_id, UUID) or type(seq) is not int:
            raise TypeError("event_hasher takes a UUID and an int seq")
        if type(prev_hash) is not str:
            raise TypeError("event_hasher takes the previous hash as a str")
        # A previous hash is hex digits (or GENESIS, empty): JSON quotes it as it is.
        plain = not prev_hash or (prev_hash.isascii() and prev_hash.isalnum())
        prev = f'"{prev_hash}"' if plain else _dumps(prev_hash)
        text = (
            f"{head}{assessment_id}{after_assessment}{changes}{after_changes}"
            f"{prev}{after_prev}{seq}{tail}"
        )
        return sha256(text.encode()).hexdigest()

    return digest


def access_hash(
    *,
    seq: int,
    at: datetime,
    user_id: int,
    action: str,
    object_type: str,
    object_id: str,
    detail: Any,
    prev_hash: str,
) -> str:
    """Return the hash of one access log entry, chained to `prev_hash`."""
    return _digest(
        {
            "chain": "access_log",
            "seq": seq,
            "at": stamp(at),
            "user": user_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "detail": detail,
            "prev": prev_hash,
        }
    )

"""The hash chains of the audit record: the canonical form of an entry and its SHA-256.

Each entry's hash covers its content and the hash of the entry before it, so altering,
removing or inserting an entry breaks the chain from there on (ADR 0024). The canonical form
below is frozen: changing it would make every stored chain fail verification.
"""

import functools
import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

# The prev_hash of the first entry of a chain.
GENESIS = ""

_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False).encode


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

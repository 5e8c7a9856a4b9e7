"""Recording access to personal data, as one hash chain (ADR 0024)."""

import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from hoctap.accounts.models import User
from hoctap.audit.chain import access_hash
from hoctap.audit.models import ACCESS_LOG, AccessAction, AccessLogEntry, ChainHead


def _locked_head() -> ChainHead:
    """Lock the access log's head row, creating it on first use (also after a flush)."""
    heads = ChainHead.objects.select_for_update()
    try:
        return heads.get(name=ACCESS_LOG)
    except ChainHead.DoesNotExist:
        ChainHead.objects.get_or_create(name=ACCESS_LOG)
        return heads.get(name=ACCESS_LOG)


def access_log_record(
    *,
    user: User,
    action: AccessAction,
    object_type: str,
    object_id: object = "",
    detail: dict[str, Any] | None = None,
) -> AccessLogEntry:
    """Append one entry to the access log."""
    # Stored and hashed in the form it reads back from the database.
    stored = json.loads(json.dumps(detail or {}))
    with transaction.atomic():
        head = _locked_head()
        entry = AccessLogEntry(
            seq=head.count + 1,
            at=timezone.now(),
            user=user,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=stored,
            prev_hash=head.head,
        )
        entry.hash = access_hash(
            seq=entry.seq,
            at=entry.at,
            user_id=user.pk,
            action=str(action),
            object_type=object_type,
            object_id=entry.object_id,
            detail=stored,
            prev_hash=entry.prev_hash,
        )
        entry.save(force_insert=True)
        ChainHead.objects.filter(name=ACCESS_LOG).update(count=entry.seq, head=entry.hash)
    return entry

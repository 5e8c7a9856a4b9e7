"""Recording access to personal data."""

from typing import Any

from hoctap.accounts.models import User
from hoctap.audit.models import AccessAction, AccessLogEntry


def access_log_record(
    *,
    user: User,
    action: AccessAction,
    object_type: str,
    object_id: object = "",
    detail: dict[str, Any] | None = None,
) -> AccessLogEntry:
    """Append one entry to the access log."""
    return AccessLogEntry.objects.create(
        user=user,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )

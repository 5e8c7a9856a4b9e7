"""Issuing, checking and revoking API bearer tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from hoctap.accounts.models import ApiToken, User

PREFIX = "hoctap_"
# Writing last_used_at on every request would turn each read into a write.
_TOUCH_EVERY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User, name: str = "") -> str:
    """Create a token for `user` and return it; it is shown once and never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:100], digest=_digest(token))
    return token


def api_token_user(token: str) -> User | None:
    """Return the active user a token belongs to, or None for an unknown or revoked token."""
    if not token.startswith(PREFIX):
        return None
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's tokens; tell whether there was one to revoke."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """Return the user's own tokens, newest first, revoked ones included."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")

"""Issuing, checking and revoking API bearer tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hoctap.accounts.models import ApiToken, RoleAssignment, User

PREFIX = "hoctap_"
# Writing last_used_at on every request would turn each read into a write.
_TOUCH_EVERY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User, name: str = "", expires_at: datetime | None = None) -> str:
    """Create a token for `user`, valid until `expires_at` if given; it is shown once only."""
    token = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name[:100], digest=_digest(token), expires_at=expires_at
    )
    return token


def _live(token: str, now: datetime) -> QuerySet[ApiToken]:
    """Select the token's row if it is neither revoked nor past its end date."""
    return ApiToken.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        digest=_digest(token),
        revoked_at__isnull=True,
    )


def api_token_user(token: str) -> User | None:
    """Return the active user a token belongs to; None if unknown, revoked or expired.

    A token of a user who holds no role in force any more is refused, and all of that user's
    tokens are revoked: they end with the last role (ADR 0031). A superuser needs no role.
    """
    if not token.startswith(PREFIX):
        return None
    now = timezone.now()
    in_force = RoleAssignment.objects.valid_on(timezone.localdate(now)).filter(
        user=OuterRef("user_id")
    )
    found = (
        _live(token, now)
        .select_related("user")
        .filter(user__is_active=True)
        .annotate(has_role=Exists(in_force))
        .first()
    )
    if found is None:
        return None
    if not (found.has_role or found.user.is_superuser):
        ApiToken.objects.filter(user_id=found.user_id, revoked_at__isnull=True).update(
            revoked_at=now
        )
        return None
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


def api_token_revoke_secret(*, user: User, token: str) -> bool:
    """Revoke `user`'s live token given by its secret (a device signing out); tell if it was."""
    now = timezone.now()
    return bool(_live(token, now).filter(user=user).update(revoked_at=now))


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """Return the user's own tokens, newest first, revoked ones included."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")

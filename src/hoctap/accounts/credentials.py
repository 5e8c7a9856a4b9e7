"""Ending every credential of a user at once: API tokens and signed-in sessions (ADR 0031)."""

from dataclasses import dataclass

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from hoctap.accounts.models import ApiToken, User


@dataclass(frozen=True)
class Ended:
    """How many tokens were revoked and sessions deleted."""

    tokens: int
    sessions: int


def credentials_end(*, user: User) -> Ended:
    """Revoke all of `user`'s live API tokens and delete every session signed in as them.

    The caller's own session, if it is one of them, survives only if the caller then moves its
    data to a new key (`update_session_auth_hash` does, as Django's password pages do).
    """
    now = timezone.now()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    # The session table is keyed by a random key, not by user: decoding the live ones is the
    # only way to find a user's. A password change is rare enough to afford it.
    mine = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=2000)
        if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    sessions, _ = Session.objects.filter(pk__in=mine).delete()
    return Ended(tokens=tokens, sessions=sessions)

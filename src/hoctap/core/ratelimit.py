"""Fixed-window rate limits counted in the database, shared by every server process."""

import hashlib
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from hoctap.core.models import RateCounter


def _window(now: datetime, per: timedelta) -> datetime:
    seconds = int(per.total_seconds())
    return datetime.fromtimestamp(now.timestamp() // seconds * seconds, tz=now.tzinfo)


def _digest(key: str) -> str:
    # Keys hold client addresses: only a digest is stored.
    return hashlib.sha256(key.encode()).hexdigest()


def rate_hits(key: str, *, per: timedelta) -> int:
    """Return how often `key` was counted in the current window."""
    found = (
        RateCounter.objects.filter(key=_digest(key), window=_window(timezone.now(), per))
        .values_list("hits", flat=True)
        .first()
    )
    return found or 0


def rate_count(key: str, *, per: timedelta) -> int:
    """Count one hit of `key` in the current window and return the hits so far."""
    now = timezone.now()
    window = _window(now, per)
    digest = _digest(key)
    with transaction.atomic():
        counter, created = RateCounter.objects.get_or_create(key=digest, window=window)
        if created:
            # A new window is a good moment to forget the windows that are over.
            RateCounter.objects.filter(window__lt=now - timedelta(days=1)).delete()
        RateCounter.objects.filter(pk=counter.pk).update(hits=F("hits") + 1)
        return RateCounter.objects.values_list("hits", flat=True).get(pk=counter.pk)


def client_address(request: HttpRequest) -> str:
    """Return the client's address as the server saw it (the proxy's, behind one)."""
    return str(request.META.get("REMOTE_ADDR", ""))

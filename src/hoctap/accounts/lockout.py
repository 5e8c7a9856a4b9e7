"""Answers to a sign-in refused because the account is locked (django-axes, ADR 0023)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

STATUS = 429


def cooloff_minutes() -> int:
    """Return how long a locked account stays locked, in whole minutes."""
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    """Say, in the active language, that the account is locked and for how long."""
    return _(
        "Too many wrong passwords for this account. Sign-in is locked for %(minutes)s minutes; "
        "try again later or ask your association's administrator to unlock it."
    ) % {"minutes": cooloff_minutes()}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """Answer a locked-out sign-in: the API keeps its own 429, pages get the lockout page."""
    if original_response is not None and original_response.status_code == STATUS:
        response = original_response
    else:
        context = {"message": lockout_message(), "minutes": cooloff_minutes()}
        response = render(request, "accounts/locked.html", context, status=STATUS)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response

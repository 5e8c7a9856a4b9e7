"""The public page a certificate's QR code opens: genuine and current, or revoked.

No sign-in. It tells no more than the paper does (initials, title, period, issuer, serial,
decision), is never cached or indexed, and answers an unknown or malformed token with the same
404 page. Unknown tokens are counted per client address; past the limit every request from
that address is refused with 429 for the rest of the window.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hoctap.core.ratelimit import client_address, rate_count, rate_hits
from hoctap.recognition.public import public_facts
from hoctap.recognition.selectors import certificate_by_token


def _limits() -> tuple[int, timedelta]:
    attempts = getattr(settings, "HOCTAP_VERIFY_ATTEMPTS", 20)
    minutes = getattr(settings, "HOCTAP_VERIFY_WINDOW_MINUTES", 15)
    return int(attempts), timedelta(minutes=int(minutes))


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def verify_view(request: HttpRequest, token: str) -> HttpResponse:
    """Show whether the certificate named by `token` is genuine and current."""
    attempts, window = _limits()
    key = f"verify:{client_address(request)}"
    if rate_hits(key, per=window) >= attempts:
        message = _(
            "Too many checks of unknown certificates from this device."
            " Please wait %(m)d minutes and try again."
        ) % {"m": int(window.total_seconds() // 60)}
        return _private(render(request, "recognition/verify.html", {"error": message}, status=429))
    certificate = certificate_by_token(token)
    if certificate is None:
        rate_count(key, per=window)
        message = _("No certificate is known by this link. Check that the whole link was copied.")
        return _private(render(request, "recognition/verify.html", {"error": message}, status=404))
    context = {"facts": public_facts(certificate)}
    return _private(render(request, "recognition/verify.html", context))

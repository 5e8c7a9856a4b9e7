"""Pages of the second factor: enrolling an authenticator app, and giving its code at sign-in."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hoctap.accounts.forms import CodeForm
from hoctap.accounts.two_factor import (
    Need,
    session_is_verified,
    session_need_store,
    session_verify,
    totp_blocked,
    totp_check,
    totp_device,
    totp_device_confirm,
    totp_device_pending,
    totp_secret,
)
from hoctap.core.http import authenticated_user

WRONG_CODE = gettext_noop("That code is not right. Type the code your app shows now.")
SLOW_DOWN = gettext_noop("Too many wrong codes. Wait a minute, then try again.")


def _asked_next(request: HttpRequest) -> str:
    return request.POST.get("next") or request.GET.get("next") or ""


def _next(request: HttpRequest) -> str:
    """Return where the user was going, if it is on this site, else the start page."""
    target = _asked_next(request)
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else reverse("home")


def _with_next(name: str, request: HttpRequest) -> str:
    """Return the URL of page `name`, passing on where the user was going."""
    next_url = _asked_next(request)
    return reverse(name) + ("?" + urlencode({"next": next_url}) if next_url else "")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Show a new secret as a QR code and switch two-step sign-in on with a first code."""
    user = authenticated_user(request)
    if totp_device(user=user) is not None:
        if not session_is_verified(request):
            return redirect(_with_next("accounts:two_factor_verify", request))
        return render(request, "accounts/two_factor_setup.html", {"enabled": True})
    device = totp_device_pending(user=user)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if totp_blocked(device=device):
            error = _(SLOW_DOWN)
        elif totp_device_confirm(user=user, device=device, code=code):
            session_verify(request, device)
            messages.success(
                request,
                _("Two-step sign-in is on: after your password you will be asked for a code."),
            )
            return redirect(_next(request))
        else:
            error = _(WRONG_CODE)
    uri = device.config_url
    context = {
        "enabled": False,
        "uri": uri,
        "qr": segno.make(uri).svg_inline(scale=4),
        "secret": totp_secret(device),
        "form": form,
        "error": error,
        "next": _asked_next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the user's authenticator app after the password."""
    user = authenticated_user(request)
    device = totp_device(user=user)
    if device is None:
        # The device was removed meanwhile: work out afresh what the session owes.
        if session_need_store(request, user) is Need.ENROL:
            return redirect(_with_next("accounts:two_factor_setup", request))
        return redirect(_next(request))
    if session_is_verified(request):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if totp_blocked(device=device):
            error = _(SLOW_DOWN)
        elif totp_check(user=user, device=device, code=form.cleaned_data["code"]):
            session_verify(request, device)
            return redirect(_next(request))
        else:
            error = _(WRONG_CODE)
    context = {"form": form, "error": error, "next": _asked_next(request)}
    return render(request, "accounts/two_factor_verify.html", context)

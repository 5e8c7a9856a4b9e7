"""The second factor: TOTP devices (django-otp) and what a signed-in session still owes."""

from base64 import b32encode
from enum import StrEnum
from typing import Any

import django_otp
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from hoctap.accounts.models import RoleAssignment, User

SESSION_KEY = "hoctap_2fa"
DEVICE_NAME = "authenticator"


class Need(StrEnum):
    """What a signed-in user must do before the pages open."""

    NOTHING = "nothing"
    VERIFY = "verify"
    ENROL = "enrol"


def totp_device(*, user: User) -> Any:
    """Return the user's confirmed TOTP device, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_device_pending(*, user: User) -> Any:
    """Return the unconfirmed device being enrolled, creating it (with a new secret) if none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_check(*, user: User, device: Any, code: str) -> bool:
    """Tell whether `code` is the device's current code; wrong codes slow the next tries."""
    code = "".join(code.split())
    if not code.isdigit():
        return False
    return django_otp.verify_token(user, device.persistent_id, code) is not None


def totp_blocked(*, device: Any) -> bool:
    """Tell whether recent wrong codes make the device refuse any code for now."""
    allowed, _ = device.verify_is_allowed()
    return not allowed


@transaction.atomic
def totp_device_confirm(*, user: User, device: Any, code: str) -> bool:
    """Confirm the device being enrolled when `code` matches; drop any older device."""
    if (
        device.user_id != user.pk
        or device.confirmed
        or not totp_check(user=user, device=device, code=code)
    ):
        return False
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    return True


def two_factor_need(user: User) -> Need:
    """Say whether the user must give a code (has a device) or enrol (holds a listed role)."""
    if django_otp.user_has_device(user):
        return Need.VERIFY
    roles = settings.HOCTAP_2FA_REQUIRED_ROLES
    if (
        roles
        and RoleAssignment.objects.valid_on(timezone.localdate())
        .filter(user=user, role__in=roles)
        .exists()
    ):
        return Need.ENROL
    return Need.NOTHING


def _roles_key() -> str:
    return ",".join(sorted(settings.HOCTAP_2FA_REQUIRED_ROLES))


def session_need_store(request: HttpRequest, user: User) -> Need:
    """Work out what the user owes and keep it in the session, so pages need no extra query."""
    need = two_factor_need(user)
    request.session[SESSION_KEY] = {"need": need.value, "roles": _roles_key()}
    return need


def session_need(request: HttpRequest, user: User) -> Need:
    """Return what the session owes, worked out again if the listed roles have changed."""
    stored = request.session.get(SESSION_KEY)
    if isinstance(stored, dict) and stored.get("roles") == _roles_key():
        need = stored.get("need")
        if need in tuple(Need):
            return Need(need)
    return session_need_store(request, user)


def session_verify(request: HttpRequest, device: Any) -> None:
    """Mark the session as having passed the second factor with `device`."""
    # A new session key for the raised privilege, as Django does at sign-in.
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[SESSION_KEY] = {"need": Need.VERIFY.value, "roles": _roles_key()}


def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Work out at sign-in what the new session owes (connected to `user_logged_in`)."""
    if request is not None and hasattr(request, "session"):
        session_need_store(request, user)


def session_is_verified(request: HttpRequest) -> bool:
    """Tell whether the session has passed the second factor (set by django-otp's middleware)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def totp_secret(device: Any) -> str:
    """Return the device's secret in base 32, in groups of four, for typing into an app."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

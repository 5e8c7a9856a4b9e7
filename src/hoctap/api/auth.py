"""/api/v1/token: sign in (POST: credentials for a token) and sign a device out (DELETE)."""

from axes.utils import reset as axes_reset
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from hoctap.accounts.lockout import lockout_message
from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_issue, api_token_revoke_secret
from hoctap.accounts.two_factor import totp_blocked, totp_check, totp_device
from hoctap.api.api import api_bearer, api_user
from hoctap.api.schemas import Message, TokenIn, TokenOut
from hoctap.core.errors import DomainError

router = Router(tags=["auth"])


class Unauthorised(DomainError):
    status = 401


class TooManyAttempts(DomainError):
    status = 429


@router.post("/token", auth=None, response={200: TokenOut, 401: Message, 429: Message})
def token_create(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Return a new bearer token for a valid username and password (and code, if enrolled)."""
    # With the request, django-axes counts the failures and refuses a locked account.
    user = authenticate(request, username=payload.username, password=payload.password)
    if not isinstance(user, User):
        if getattr(request, "axes_locked_out", False):
            raise TooManyAttempts(lockout_message())
        raise Unauthorised(_("Wrong username or password."))
    # No session is opened, so Django's user_logged_in (which resets the count) does not fire.
    axes_reset(username=user.get_username())
    device = totp_device(user=user)
    if device is not None:
        _check_code(user, device, payload.otp or "")
    return TokenOut(token=api_token_issue(user=user, name="api"))


# Beside the sign-in: one path is one router's, or the other method would answer 405.
@router.delete("/token", response={204: None, 401: Message})
def token_sign_out(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token this request carries (sign this device out): 204, no body.

    From then on the same token gets 401, as does a token that is missing, unknown, revoked
    or expired here. The caller's other tokens keep working.
    """
    if not api_token_revoke_secret(user=api_user(request), token=api_bearer(request)):
        # Revoked or expired between the check of the token and now.
        raise Unauthorised(_("Sign in first: send a valid bearer token."))
    return Status(204, None)


def _check_code(user: User, device: object, code: str) -> None:
    """Refuse the request unless `code` is the current code of the user's device."""
    if not code:
        raise Unauthorised(_('This account uses two-step sign-in: send the code as "otp".'))
    if totp_blocked(device=device):
        raise TooManyAttempts(_("Too many wrong codes. Wait a minute, then try again."))
    if not totp_check(user=user, device=device, code=code):
        raise Unauthorised(_("Wrong or expired code."))

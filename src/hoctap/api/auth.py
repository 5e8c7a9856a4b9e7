"""POST /api/v1/token: exchange a username and password (and a code, if enrolled) for a token."""

from axes.utils import reset as axes_reset
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from hoctap.accounts.lockout import lockout_message
from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_issue
from hoctap.accounts.two_factor import totp_blocked, totp_check, totp_device
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


def _check_code(user: User, device: object, code: str) -> None:
    """Refuse the request unless `code` is the current code of the user's device."""
    if not code:
        raise Unauthorised(_('This account uses two-step sign-in: send the code as "otp".'))
    if totp_blocked(device=device):
        raise TooManyAttempts(_("Too many wrong codes. Wait a minute, then try again."))
    if not totp_check(user=user, device=device, code=code):
        raise Unauthorised(_("Wrong or expired code."))

"""POST /api/v1/token: exchange a username and password for a bearer token."""

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_issue
from hoctap.api.schemas import Message, TokenIn, TokenOut
from hoctap.core.errors import DomainError

router = Router(tags=["auth"])


class Unauthorised(DomainError):
    status = 401


@router.post("/token", auth=None, response={200: TokenOut, 401: Message})
def token_create(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Return a new bearer token for a valid username and password."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if not isinstance(user, User):
        raise Unauthorised(_("Wrong username or password."))
    return TokenOut(token=api_token_issue(user=user, name="api"))

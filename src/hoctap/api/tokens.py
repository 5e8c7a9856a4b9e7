"""GET /api/v1/tokens and DELETE /api/v1/tokens/{id}: the caller's own tokens."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from hoctap.accounts.tokens import api_token_list, api_token_revoke
from hoctap.api.api import api_user
from hoctap.api.schemas import Message, TokenInfoOut
from hoctap.core.errors import NotFound

router = Router(tags=["tokens"])


@router.get("/tokens", response=list[TokenInfoOut])
def token_list(request: HttpRequest) -> list[TokenInfoOut]:
    """List the caller's own tokens, revoked and expired ones included, without their secrets."""
    return [
        TokenInfoOut(
            id=t.pk,
            name=t.name,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            revoked_at=t.revoked_at,
            expires_at=t.expires_at,
        )
        for t in api_token_list(user=api_user(request))
    ]


@router.delete("/tokens/{token_id}", response={204: None, 404: Message})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of the caller's live tokens; another's or a revoked one is not found."""
    if not api_token_revoke(user=api_user(request), token_id=token_id):
        raise NotFound(_("No such token."))
    return Status(204, None)

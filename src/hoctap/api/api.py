"""The HTTP API under /api/v1/: bearer tokens, the same scoping as the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer

from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_user
from hoctap.core.errors import DomainError


def api_user(request: HttpRequest) -> User:
    """Return the user TokenAuth let through."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_user(token)


# No docs page: Swagger UI loads from a CDN, and the app serves nothing from third parties.
api = NinjaAPI(
    title="hoctap API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url=None,
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    messages = exc.messages
    return api.create_response(
        request, {"detail": " ".join(messages), "errors": messages}, status=400
    )


def _register() -> None:
    from hoctap.api import assessments, auth, reports, units

    api.add_router("", auth.router)
    api.add_router("", units.router)
    api.add_router("", assessments.router)
    api.add_router("", reports.router)


_register()

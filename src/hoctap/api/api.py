"""The HTTP API under /api/v1/: bearer tokens, the same scoping as the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestInvalid
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


def api_bearer(request: HttpRequest) -> str:
    """Return the bearer token of the request, read as HttpBearer reads it."""
    _scheme, _, token = request.headers.get(TokenAuth.header, "").partition(" ")
    return token


_MESSAGE = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}}


class HoctapAPI(NinjaAPI):
    """The API, whose schema also documents the answers every operation may give.

    A body that cannot be read gets 400, a request that does not match its schema 422, and one
    without a valid token 401, each as a Message; the schema says so for every operation, so
    clients (and the fuzzer) can rely on it.
    """

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Return the OpenAPI document with 400, 401 and 422 documented on each operation."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                responses.setdefault(400, {"description": "Bad Request", **_MESSAGE})
                responses.setdefault(422, {"description": "Unprocessable Content", **_MESSAGE})
                if operation.get("security"):
                    responses.setdefault(401, {"description": "Unauthorized", **_MESSAGE})
        return schema


# No docs page: Swagger UI loads from a CDN, and the app serves nothing from third parties.
api = HoctapAPI(
    title="hoctap API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url=None,
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"detail": exc.message, "code": exc.code}, status=exc.status
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    messages = exc.messages
    code = next((error.code for error in exc.error_list if error.code), "invalid")
    return api.create_response(
        request, {"detail": " ".join(messages), "errors": messages, "code": code}, status=400
    )


@api.exception_handler(RequestInvalid)
def _request_invalid(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    errors = [
        f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '')}"
        for error in exc.errors
    ]
    return api.create_response(
        request,
        {
            "detail": _("The request does not match the API schema."),
            "errors": errors,
            "code": "schema",
        },
        status=422,
    )


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the database cannot hold (a NUL inside a JSON string, for one): the request is
    # at fault, and the transaction it was in has already been rolled back.
    message = _("A value in the request cannot be stored.")
    return api.create_response(
        request, {"detail": message, "errors": [message], "code": "invalid"}, status=400
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("Sign in first: send a valid bearer token."), "code": "unauthenticated"},
        status=401,
    )


def _register() -> None:
    from hoctap.api import assessments, attendance, auth, reports, tokens, units

    api.add_router("", auth.router)
    api.add_router("", tokens.router)
    api.add_router("", units.router)
    api.add_router("", assessments.router)
    api.add_router("", reports.router)
    api.add_router("", attendance.router)


_register()

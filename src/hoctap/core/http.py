"""Small helpers for views."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from hoctap.accounts.models import User


def authenticated_user(request: HttpRequest) -> User:
    """Return the signed-in user (views call it after @login_required)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user

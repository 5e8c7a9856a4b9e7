"""Keep a signed-in user who owes a second factor on the code or enrolment page."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from hoctap.accounts.models import User
from hoctap.accounts.two_factor import Need, session_is_verified, session_need

# Pages a user may open before the second factor: leaving, switching language, and the two steps.
OPEN_VIEWS = {
    "login",
    "logout",
    "set_language",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
}
TARGET = {Need.VERIFY: "accounts:two_factor_verify", Need.ENROL: "accounts:two_factor_setup"}


class TwoFactorMiddleware:
    """Send a user with a device to the code page, and one whose role needs it to enrolment.

    Comes after django-otp's OTPMiddleware (for `user.is_verified()`). The API is left alone: it
    takes bearer tokens, which ask for the code when they are issued.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        """Redirect to the step the session still owes, keeping where the user was going."""
        match = request.resolver_match
        if match is None or "api" in match.namespaces or match.view_name in OPEN_VIEWS:
            return None
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        need = session_need(request, user)
        if need is Need.NOTHING or session_is_verified(request):
            return None
        return redirect_to_login(request.get_full_path(), reverse(TARGET[need]))

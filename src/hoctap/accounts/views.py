"""The signed-in user's start page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from hoctap.accounts.models import RoleAssignment
from hoctap.core.http import authenticated_user


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the roles the user holds today and where to go next."""
    user = authenticated_user(request)
    assignments = (
        RoleAssignment.objects.valid_on(timezone.localdate())
        .filter(user=user)
        .select_related("unit")
        .order_by("unit__path")
    )
    return render(request, "accounts/home.html", {"assignments": assignments})

"""Pages for passwords: change your own, and reset that of an officer below you."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hoctap.accounts.passwords import password_change, password_reset, users_below
from hoctap.core.errors import NotFound
from hoctap.core.http import authenticated_user


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    """Change your own password; this session stays signed in, every other one ends."""
    user = authenticated_user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_change(user=user, new_password=form.cleaned_data["new_password1"])
        # The save deleted every session of the user, this one too: this moves its data to a
        # new key carrying the new password's hash.
        update_session_auth_hash(request, user)
        messages.success(
            request,
            _("Your password is changed. Your API tokens and your other sessions have ended."),
        )
        return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@require_safe
@login_required
def user_list_view(request: HttpRequest) -> HttpResponse:
    """List the officers below the user, whose passwords the user may reset."""
    users = users_below(user=authenticated_user(request))
    return render(request, "accounts/users.html", {"users": users})


# The answer carries the new password, shown this once: no cache may keep it.
@never_cache
@require_POST
@login_required
def password_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """Reset the password of an officer below the user and show the new one once."""
    try:
        target, password = password_reset(officer=authenticated_user(request), user_id=user_id)
    except NotFound:
        raise Http404 from None
    context = {"target": target, "password": password}
    return render(request, "accounts/password_reset_done.html", context)

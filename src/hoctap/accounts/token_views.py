"""The page where a user sees, creates and revokes their own API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hoctap.accounts.forms import TokenNameForm
from hoctap.accounts.tokens import api_token_issue, api_token_list, api_token_revoke
from hoctap.core.http import authenticated_user


# The answer to a creation carries the secret, shown this once: no cache may keep it.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def token_list_view(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; a POST creates a named one and shows its secret once."""
    user = authenticated_user(request)
    form = TokenNameForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        secret = api_token_issue(user=user, name=form.cleaned_data["name"])
        form = TokenNameForm()
    context = {"tokens": api_token_list(user=user), "form": form, "secret": secret}
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own live tokens; anything else is not found."""
    if not api_token_revoke(user=authenticated_user(request), token_id=token_id):
        raise Http404
    messages.success(request, _("The token is revoked: it no longer opens the API."))
    return redirect("accounts:tokens")

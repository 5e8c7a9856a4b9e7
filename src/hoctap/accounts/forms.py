"""Forms of the sign-in security pages: a one-time code, a token's name."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    # Authenticator apps show 6 digits, often as "123 456"; spaces are dropped when checking.
    code = forms.CharField(label=_("Code from your authenticator app"), max_length=12)


class TokenNameForm(forms.Form):
    name = forms.CharField(label=_("Name of the token"), max_length=100)

"""Forms of a person's rights: consent and requests about their data."""

from django import forms
from django.utils.translation import gettext_lazy

from hoctap.people.models import ConsentMethod, RequestKind


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Request"), choices=RequestKind.choices)
    received_how = forms.ChoiceField(
        label=gettext_lazy("Received how"), choices=ConsentMethod.choices
    )


class ConsentForm(forms.Form):
    # Never ticked in advance: the officer ticks it when the person has said yes.
    given = forms.BooleanField(label=gettext_lazy("The person has read the notice and agrees"))
    method = forms.ChoiceField(label=gettext_lazy("Given how"), choices=ConsentMethod.choices)

"""The upload form of the import page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hoctap.assessments.models import Period, State


class ImportForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Period"), queryset=Period.objects.order_by("-starts_on"), to_field_name="code"
    )
    target_state = forms.ChoiceField(
        label=_("Import as"),
        choices=[(State.SUBMITTED, _("Submitted, to be reviewed")), (State.DECIDED, _("Decided"))],
        initial=State.SUBMITTED,
    )
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

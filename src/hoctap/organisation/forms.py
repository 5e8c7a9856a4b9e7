"""Parsing the tree date of the unit pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DayForm(forms.Form):
    """The day whose tree a page shows (?on=dd/mm/yyyy); empty means today."""

    on = forms.DateField(
        label=_("Date"),
        required=False,
        error_messages={"invalid": _("Enter the date as dd/mm/yyyy, for example 01/06/2021.")},
    )

"""Forms of the learning centre pages: a centre, a course, a session."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from hoctap.learning.models import Topic
from hoctap.organisation.models import Unit

_DATE_ERRORS = {
    "invalid": _("Enter the date as dd/mm/yyyy, for example 01/06/2021."),
    "required": _("Enter the date as dd/mm/yyyy, for example 01/06/2021."),
}


def _date_field(label: StrOrPromise, *, required: bool = True) -> forms.DateField:
    """Return a dd/mm/yyyy text field: a phone's date picker would send another format."""
    return forms.DateField(
        label=label,
        required=required,
        error_messages=_DATE_ERRORS,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
    )


class CentreForm(forms.Form):
    name = forms.CharField(
        label=_("Centre name"),
        max_length=200,
        error_messages={"required": _("Enter the centre's name.")},
    )
    decision_number = forms.CharField(
        label=_("Number of the establishing decision"), max_length=60, required=False
    )
    decision_date = _date_field(_("Date of the establishing decision"), required=False)


class CentreCreateForm(CentreForm):
    """A new centre: the commune comes first, chosen among those the officer runs."""

    unit = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Unit.objects.none(),
        empty_label=_("Choose a commune"),
        error_messages={"invalid_choice": _("Choose a commune from the list.")},
    )
    field_order = ["unit", "name", "decision_number", "decision_date"]

    def __init__(self, *args: Any, communes: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared just above
        field.queryset = communes


class CourseForm(forms.Form):
    title = forms.CharField(
        label=_("Course title"),
        max_length=200,
        error_messages={"required": _("Enter the course title.")},
    )
    topic = forms.ChoiceField(
        label=_("Topic"),
        choices=Topic.choices,
        error_messages={"invalid_choice": _("Choose a topic from the list.")},
    )
    starts_on = _date_field(_("Start date"))
    ends_on = _date_field(_("End date"))
    teacher = forms.CharField(label=_("Teacher"), max_length=120, required=False)
    indicators = forms.MultipleChoiceField(
        label=_("Evidence for indicators"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one indicator the course supports."),
            "invalid_choice": _("Tick indicators from the list."),
        },
    )

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicators"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared just above
        field.choices = [(code, f"{code}. {text}" if text else code) for code, text in indicators]


class SessionForm(forms.Form):
    date = _date_field(_("Session date"))
    topic = forms.CharField(label=_("Session topic"), max_length=200, required=False)

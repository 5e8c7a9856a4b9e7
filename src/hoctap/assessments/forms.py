"""Forms of the assessment pages: enrolment, scores, actions, evidence."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hoctap.assessments.selectors import UnitChoice, unit_code_of
from hoctap.core.text import fold, nfc
from hoctap.people.models import ConsentMethod, Sex
from hoctap.schemes.definition import SchemeDefinition

# Up to this many units are a plain drop-down; more become a list to search by typing.
UNIT_SELECT_LIMIT = 60


class EnrolForm(forms.Form):
    """Enrol a person: units and groups are picked by name, consent is recorded with how."""

    unit = forms.CharField(label=_("Unit"), max_length=240)
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        min_value=1900,
        max_value=2100,
        error_messages={"invalid": _("Write the year of birth in four digits, e.g. 1979.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), required=False)
    national_id = forms.CharField(
        label=_("CCCD number"),
        max_length=20,
        required=False,
        help_text=_("12 digits, if the person has a citizen identity card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    household = forms.CharField(
        label=_("Household code"),
        max_length=32,
        required=False,
        help_text=_("Optional: the code your branch gives the household."),
    )
    group = forms.ChoiceField(label=_("Target group"))
    # Never ticked in advance (Law 91/2025): the officer ticks it when the person says yes.
    consent = forms.BooleanField(
        label=_("The person has read the privacy notice and agrees"),
        error_messages={
            "required": _("Read the privacy notice to the person; enrol them only when they agree.")
        },
    )
    consent_how = forms.ChoiceField(
        label=_("Consent given how"),
        choices=ConsentMethod.choices,
        initial=ConsentMethod.PAPER,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        units: list[UnitChoice],
        groups: list[tuple[str, str]],
        ethnicities: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        self.searchable = len(units) > UNIT_SELECT_LIMIT
        field = self.fields["unit"]
        if self.searchable:
            field.widget = forms.TextInput(attrs={"list": "unit-choices", "autocomplete": "off"})
            field.help_text = _("Type part of the name, then pick the unit from the list.")
        else:
            top = min((u.depth for u in units), default=0)
            field.widget = forms.Select(
                choices=[("", "—")] + [(u.code, "\u2003" * (u.depth - top) + u.name) for u in units]
            )
        self.fields["group"].choices = [("", "—"), *groups]  # type: ignore[attr-defined]
        self.fields["ethnicity"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((name, name) for name in ethnicities),
        ]

    def clean_unit(self) -> str:
        """Return the code of the unit picked, by its code, its listed label or a unique name."""
        value = nfc(self.cleaned_data["unit"])
        by_code = {u.code: u for u in self.units}
        if value in by_code:
            return value
        if unit_code_of(value) in by_code:
            return unit_code_of(value)
        named = [u for u in self.units if fold(u.name) == fold(value)]
        if len(named) == 1:
            return named[0].code
        raise forms.ValidationError(_("Pick the unit from the list of your area."))


class ScoreField(forms.DecimalField):
    """A score as people type it: "7,5" as well as "7.5"."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class ScoresForm(forms.Form):
    """One number field per indicator of the scheme, limited to its range and step."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        definition: SchemeDefinition,
        initial_scores: Mapping[str, str],
        group: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for indicator in definition.indicators:
            limits = {"code": indicator.code, "max": indicator.max, "step": indicator.step}
            out_of_range = _("%(code)s takes a score from 0 to %(max)s.") % limits
            self.fields[indicator.code] = ScoreField(
                # The wording for the person's target group, where the scheme words it apart.
                label=f"{indicator.code}. {indicator.text_for(group)}",
                min_value=0,
                max_value=indicator.max,
                step_size=indicator.step,
                required=False,
                initial=initial_scores.get(indicator.code),
                help_text=indicator.evidence,
                error_messages={
                    "invalid": _("%(code)s: write a number, e.g. 8 or 7,5.") % limits,
                    "min_value": out_of_range,
                    "max_value": out_of_range,
                    "step_size": _("%(code)s goes in steps of %(step)s.") % limits,
                    "max_digits": out_of_range,
                    "max_decimal_places": _("%(code)s goes in steps of %(step)s.") % limits,
                },
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "class": "score",
                        "size": "4",
                        "autocomplete": "off",
                        "pattern": "[0-9]+([,.][0-9]+)?",
                    }
                ),
            )

    def scores(self) -> dict[str, object]:
        """Return the scores filled in (blank fields are left out)."""
        return {
            code: value
            for code, value in self.cleaned_data.items()
            if code != "version" and value is not None
        }


class ActionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)
    decision_date = forms.DateField(label=_("Decision date"), required=False)
    decision_body = forms.CharField(label=_("Deciding body"), required=False, max_length=200)
    # The layer whose scores, shown on the page, the user takes for the blanks of theirs.
    accept = forms.ChoiceField(
        choices=[("", ""), ("self", "self"), ("reviewer", "reviewer")], required=False
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or PDF"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators it supports"), choices=[], widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, codes: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = [(c, c) for c in codes]  # type: ignore[attr-defined]

"""Forms of the assessment pages: enrolment, scores, actions, evidence."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hoctap.people.models import ConsentMethod, Sex
from hoctap.schemes.definition import SchemeDefinition


class EnrolForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=32)
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    birth_year = forms.IntegerField(label=_("Birth year"), min_value=1900, max_value=2100)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=60, required=False)
    national_id = forms.CharField(label=_("CCCD number"), max_length=20, required=False)
    household = forms.CharField(label=_("Household code"), max_length=32, required=False)
    group = forms.CharField(label=_("Target group"), max_length=60)
    # Never ticked in advance (Law 91/2025): the officer ticks it when the person says yes.
    consent = forms.BooleanField(
        label=_("The person has read the privacy notice and agrees"), required=False
    )
    consent_how = forms.ChoiceField(
        label=_("Consent given how"), choices=ConsentMethod.choices, required=False
    )


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
            self.fields[indicator.code] = forms.DecimalField(
                # The wording for the person's target group, where the scheme words it apart.
                label=f"{indicator.code}. {indicator.text_for(group)}",
                min_value=0,
                max_value=indicator.max,
                step_size=indicator.step,
                required=False,
                initial=initial_scores.get(indicator.code),
                help_text=indicator.evidence,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "class": "score"}),
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

"""Enrolment: a person picked into a unit of the officer's area, with their consent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hoctap.assessments.enrolment import ConsentInput, PersonInput, enrolment_create
from hoctap.assessments.forms import EnrolForm
from hoctap.assessments.periods import period_get, period_scheme
from hoctap.assessments.presenting import group_label
from hoctap.assessments.selectors import enrolment_units
from hoctap.core.errors import CONSENT_MISSING, NATIONAL_ID_ELSEWHERE, DomainError
from hoctap.core.http import authenticated_user
from hoctap.people.models import ConsentMethod, Ethnicity, Sex
from hoctap.schemes.models import SubjectType

# Where a refusal of the enrolment service belongs on the form, by its code.
_ENROL_ERROR_FIELDS = {
    "national_id": "national_id",
    "national_id_taken": "national_id",
    NATIONAL_ID_ELSEWHERE: "national_id",
    "birth_year": "birth_year",
    "full_name": "full_name",
    "ethnicity": "ethnicity",
    "household": "household",
    CONSENT_MISSING: "consent",
}


@require_http_methods(["GET", "POST"])
@login_required
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Enrol a person for a period in a unit of the officer's area, with their consent."""
    user = authenticated_user(request)
    try:
        period = period_get(request.GET.get("period") or request.POST.get("period", ""))
        # A period without a scheme for people (a title period) has no one to enrol.
        scheme = period_scheme(period, SubjectType.CITIZEN)
    except ValidationError:
        raise Http404 from None
    form = EnrolForm(
        request.POST or None,
        units=enrolment_units(user=user, period=period),
        groups=[(g.code, group_label(scheme.parsed, g.code)) for g in scheme.parsed.groups],
        ethnicities=list(Ethnicity.objects.order_by("code").values_list("name", flat=True)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = enrolment_create(
                user=user,
                period=period,
                unit_code=data["unit"],
                group=data["group"],
                person=PersonInput(
                    full_name=data["full_name"],
                    birth_year=data["birth_year"],
                    sex=Sex(data["sex"]),
                    ethnicity=data["ethnicity"],
                    national_id=data["national_id"] or None,
                    household=data["household"],
                ),
                consent=ConsentInput(method=ConsentMethod(data["consent_how"])),
            )
        except ValidationError as error:
            for item in error.error_list:
                form.add_error(_ENROL_ERROR_FIELDS.get(item.code or ""), item.messages)
        except DomainError as error:
            form.add_error(_ENROL_ERROR_FIELDS.get(error.code), error.message)
        else:
            messages.success(
                request,
                _("Enrolled %(name)s for %(period)s.")
                % {"name": assessment.citizen, "period": period.code},
            )
            return redirect("assessments:detail", assessment_id=assessment.pk)
    context = {"form": form, "period": period, "scheme": scheme}
    return render(request, "assessments/enrol.html", context)

"""Officer pages for the sibling titles: register a candidate, list the entries, decide one."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Period
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import DomainError, NotFound
from hoctap.core.http import authenticated_user
from hoctap.organisation.models import Unit
from hoctap.people.models import Household
from hoctap.recognition.models import TitleEntry
from hoctap.recognition.selectors import recognition_target
from hoctap.recognition.titles import (
    DECIDERS,
    members_of,
    title_decide,
    title_entries,
    title_register,
)
from hoctap.schemes.candidates import member_rule
from hoctap.schemes.models import SchemeStatus
from hoctap.schemes.rules import MemberCounts


def _titles_url(period: Period, unit: Unit) -> str:
    query = urlencode({"period": period.code, "unit": unit.code})
    return f"{reverse('recognition:titles')}?{query}"


@require_safe
@login_required
def titles_view(request: HttpRequest) -> HttpResponse:
    """List the title entries of a unit's subtree in a period, decided or waiting."""
    user = authenticated_user(request)
    scope = scope_for(user)
    try:
        period, unit = recognition_target(
            scope=scope,
            period_code=request.GET.get("period", ""),
            unit_code=request.GET.get("unit", ""),
        )
        entries = list(title_entries(user=user, period=period, unit=unit))
    except NotFound:
        raise Http404 from None
    rows = [
        {
            "entry": e,
            "label": e.scheme.parsed.result_label(e.result) if e.result else "",
            "may_decide": e.passed is None and bool(scope.roles_at(e.unit.path) & DECIDERS),
            "provisional": e.scheme.status == SchemeStatus.PROVISIONAL,
        }
        for e in entries
    ]
    context = {"period": period, "unit": unit, "rows": rows}
    return render(request, "recognition/titles.html", context)


@require_POST
@login_required
def title_register_view(request: HttpRequest) -> HttpResponse:
    """Register a candidate household or unit for its title, then go back to the entries."""
    user = authenticated_user(request)
    scope = scope_for(user)
    try:
        period, unit = recognition_target(
            scope=scope,
            period_code=request.POST.get("period", ""),
            unit_code=request.POST.get("unit", ""),
        )
        household = _household(request.POST.get("household", ""), unit)
        subject_unit = None if household else _unit(request.POST.get("subject", ""), unit)
        entry = title_register(user=user, period=period, household=household, unit=subject_unit)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_titles_url(period, unit))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_titles_url(period, unit))
    messages.success(
        request,
        _("%(subject)s is registered for “%(title)s”.")
        % {"subject": entry.subject, "title": entry.scheme.title},
    )
    return redirect(_titles_url(period, unit))


def _id(value: str) -> int:
    """Read a row id sent by a form; 0 (no row) for anything else."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def _household(value: str, within: Unit) -> Household | None:
    if not value:
        return None
    found = Household.objects.filter(pk=_id(value), unit__path__startswith=within.path)
    household = found.select_related("unit").first()
    if household is None:
        raise NotFound(_("No such household."))
    return household


def _unit(value: str, within: Unit) -> Unit:
    found = Unit.objects.filter(pk=_id(value), path__startswith=within.path)
    subject = found.first()
    if subject is None:
        raise NotFound(_("No such unit."))
    return subject


def _parse_date(value: str) -> date | None:
    """Read a date the way the project's forms do (dd/mm/yyyy first); None when it is not one."""
    try:
        parsed: date | None = forms.DateField(required=False).clean(value)
    except ValidationError:
        return None
    return parsed


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def title_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the decision form of an entry (its criteria, its members now); POST records it."""
    user = authenticated_user(request)
    scope = scope_for(user)
    entry = (
        scope.filter(TitleEntry.objects.all(), "unit")
        .select_related("period", "scheme", "unit", "household", "subject_unit")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    # The page names the household (its head) and its members' standing: who saw it is kept.
    access_log_record(
        user=user, action=AccessAction.VIEW, object_type="title_entry", object_id=entry.pk
    )
    definition = entry.scheme.parsed
    errors: list[str] = []
    status = 200
    values = {i.code: request.POST.get(f"score-{i.code}", "") for i in definition.indicators}
    number = request.POST.get("decision_number", "")
    day = request.POST.get("decision_date", "")
    if request.method == "POST":
        parsed = _parse_date(day) if day else None
        if day and parsed is None:
            errors.append(_("Enter the decision date as dd/mm/yyyy."))
            status = 400
        else:
            scores = {c: v for c, v in values.items() if v.strip()}
            try:
                decided = title_decide(
                    user=user,
                    entry_id=entry.pk,
                    scores=scores,
                    decision_number=number,
                    decision_date=parsed,
                )
            except NotFound:
                raise Http404 from None
            except ValidationError as exc:
                errors, status = exc.messages, 400
            except DomainError as exc:  # Forbidden (403) or already decided (409)
                errors, status = [exc.message], exc.status
            else:
                label = definition.result_label(decided.result)
                messages.success(
                    request,
                    _("Decision recorded for %(subject)s: %(result)s.")
                    % {"subject": decided.subject, "result": label},
                )
                return redirect(_titles_url(entry.period, entry.unit))
    # Before the decision, the members as they stand now; after it, as they were counted then.
    members = None
    if entry.passed is not None and entry.members_total is not None:
        members = MemberCounts(holding=entry.members_holding or 0, total=entry.members_total)
    elif entry.passed is None and member_rule(entry.scheme.rule) is not None:
        members = members_of(entry)
    context = {
        "entry": entry,
        "criteria": [
            {
                "criterion": criterion,
                "indicators": [
                    {"indicator": i, "value": values.get(i.code, "")} for i in criterion.indicators
                ],
            }
            for criterion in definition.criteria
        ],
        "members": members,
        "result_label": definition.result_label(entry.result) if entry.result else "",
        "share": member_rule(entry.scheme.rule),
        "provisional": entry.scheme.status == SchemeStatus.PROVISIONAL,
        "may_decide": entry.passed is None and bool(scope.roles_at(entry.unit.path) & DECIDERS),
        "number": number,
        "day": day,
        "errors": errors,
    }
    return render(request, "recognition/title_decide.html", context, status=status)

"""Pages for a person's rights: consent, requests with their deadlines, copy and erasure."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from hoctap.core.errors import DomainError, NotFound
from hoctap.core.http import authenticated_user
from hoctap.people.forms import ConsentForm, RequestForm
from hoctap.people.models import ConsentMethod, DataRequest, RequestKind
from hoctap.people.privacy import (
    citizen_erase,
    consent_give,
    consent_withdraw,
    data_request_export_done,
    data_request_record,
    data_requests_for,
)


@require_POST
@login_required
def request_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a person's request about their data; its deadlines start today."""
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the request and how it was received."))
        return redirect("people:detail", pk=pk)
    try:
        recorded = data_request_record(
            user=authenticated_user(request),
            citizen_id=pk,
            kind=RequestKind(form.cleaned_data["kind"]),
            received_how=ConsentMethod(form.cleaned_data["received_how"]),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("people:detail", pk=pk)
    messages.success(
        request,
        _("Request recorded: answer by %(a)s, carry out by %(d)s.")
        % {"a": date_format(recorded.acknowledge_by), "d": date_format(recorded.due_by)},
    )
    return redirect("people:detail", pk=pk)


@require_POST
@login_required
def consent_give_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the person's consent under the current privacy notice."""
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Consent is recorded only when the person has agreed."))
        return redirect("people:detail", pk=pk)
    try:
        consent_give(
            user=authenticated_user(request),
            citizen_id=pk,
            method=ConsentMethod(form.cleaned_data["method"]),
        )
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Consent recorded."))
    return redirect("people:detail", pk=pk)


@require_POST
@login_required
def consent_withdraw_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    """Withdraw a consent on the person's word."""
    try:
        consent = consent_withdraw(user=authenticated_user(request), consent_id=consent_id)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("people:requests")
    messages.success(request, _("Consent withdrawn."))
    return redirect("people:detail", pk=consent.citizen_id)


@require_safe
@login_required
def request_list_view(request: HttpRequest) -> HttpResponse:
    """List the open requests of the user's area, the most urgent first, overdue marked."""
    rows = data_requests_for(user=authenticated_user(request))
    context = {"rows": rows, "today": timezone.localdate()}
    return render(request, "people/data_requests.html", context)


@require_POST
@login_required
def request_export_view(request: HttpRequest, request_id: int) -> HttpResponse:
    """Answer a request for a copy: download the person's data as JSON; the request is done."""
    try:
        data = data_request_export_done(user=authenticated_user(request), request_id=request_id)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("people:requests")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{request_id}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def request_erase_view(request: HttpRequest, request_id: int) -> HttpResponse:
    """Carry out an erasure request, once the officer has confirmed it cannot be undone."""
    try:
        done: DataRequest = citizen_erase(
            user=authenticated_user(request),
            request_id=request_id,
            confirmed=request.POST.get("confirm") == "yes",
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("people:requests")
    messages.success(request, done.outcome)
    return redirect("people:requests")

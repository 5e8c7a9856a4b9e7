"""Officer pages: who is recognised in a unit and period, certificates, decisions, revoking."""

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.assessments.models import Assessment, Period
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import DomainError, NotFound
from hoctap.core.http import authenticated_user
from hoctap.organisation.models import Unit
from hoctap.recognition.documents import certificates_pdf, decision_pdf
from hoctap.recognition.models import Certificate
from hoctap.recognition.selectors import (
    certificate_get,
    certificate_list,
    decisions,
    recognised,
    recognition_target,
)
from hoctap.recognition.services import (
    ISSUERS,
    REVOKERS,
    certificate_issue,
    certificate_revoke,
    certificates_issue_for,
    issuer_of,
)


def _target(request: HttpRequest, scope: Scope) -> tuple[Period, Unit]:
    query = request.GET if request.method in ("GET", "HEAD") else request.POST
    period = query.get("period") or _latest_period()
    unit = query.get("unit") or _home_unit(scope)
    try:
        return recognition_target(scope=scope, period_code=period, unit_code=unit)
    except NotFound:
        raise Http404 from None


def _latest_period() -> str:
    return Period.objects.order_by("-starts_on").values_list("code", flat=True).first() or ""


def _home_unit(scope: Scope) -> str:
    if not scope.paths:
        return ""
    pk = int(scope.paths[0].strip("/").split("/")[-1])
    return Unit.objects.filter(pk=pk).values_list("code", flat=True).first() or ""


def _back(period: Period, unit: Unit) -> HttpResponse:
    query = urlencode({"period": period.code, "unit": unit.code})
    return redirect(f"{reverse('recognition:index')}?{query}")


def _verify_url(request: HttpRequest) -> Callable[[Certificate], str]:
    def link(c: Certificate) -> str:
        return request.build_absolute_uri(reverse("verify:certificate", args=[c.token]))

    return link


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    """List the people recognised in a unit and period, their certificates and decisions."""
    user = authenticated_user(request)
    scope = scope_for(user)
    period, unit = _target(request, scope)
    rows = list(recognised(scope=scope, period=period, unit=unit))
    revoked = certificate_list(scope=scope, period=period, unit=unit).filter(
        revoked_at__isnull=False
    )
    _log(user, AccessAction.VIEW, period, unit, [str(a.pk) for a in rows])
    roles = scope.roles_at(unit.path)
    context = {
        "period": period,
        "unit": unit,
        "rows": rows,
        "decisions": decisions(rows),
        "revoked": list(revoked),
        "issued": len([a for a in rows if getattr(a, "current", [])]),
        "may_issue": bool(roles & ISSUERS),
        "may_revoke": bool(roles & REVOKERS),
        "periods": list(Period.objects.order_by("-starts_on").values_list("code", flat=True)),
    }
    return render(request, "recognition/index.html", context)


def _log(user: User, action: AccessAction, period: Period, unit: Unit, ids: list[str]) -> None:
    access_log_record(
        user=user,
        action=action,
        object_type="recognition",
        object_id=f"{period.code}/{unit.code}",
        detail={"assessments": ids},
    )


@require_POST
@login_required
def issue_all_view(request: HttpRequest) -> HttpResponse:
    """Issue the certificates of everyone recognised in the unit and period."""
    user = authenticated_user(request)
    period, unit = _target(request, scope_for(user))
    try:
        issued = certificates_issue_for(user=user, period=period, unit=unit)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(n)d certificates are issued.") % {"n": len(issued)})
    return _back(period, unit)


@require_POST
@login_required
def issue_view(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Issue the certificate of one assessment."""
    user = authenticated_user(request)
    scope = scope_for(user)
    rows = scope.filter(Assessment.objects.select_related("period", "unit"), "unit")
    found = rows.filter(pk=assessment_id).first()
    if found is None:
        raise Http404
    try:
        c = certificate_issue(user=user, assessment_id=assessment_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Certificate %(s)s is issued.") % {"s": c.serial})
    # From the assessment's own page, back to it; a name, not a URL, so nothing can be
    # redirected elsewhere.
    if request.POST.get("back") == "assessment":
        return redirect("assessments:detail", assessment_id=found.pk)
    return _back(found.period, issuer_of(found.unit))


@require_POST
@login_required
def revoke_view(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """Revoke one certificate with the reason typed by the officer."""
    user = authenticated_user(request)
    try:
        c = certificate_get(scope=scope_for(user), certificate_id=certificate_id)
    except NotFound:
        raise Http404 from None
    try:
        certificate_revoke(
            user=user, certificate_id=certificate_id, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Certificate %(s)s is revoked.") % {"s": c.serial})
    return _back(c.assessment.period, c.issuer)


@require_safe
@login_required
def certificate_pdf_view(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """Download one current certificate as an A4 PDF."""
    user = authenticated_user(request)
    try:
        c = certificate_get(scope=scope_for(user), certificate_id=certificate_id)
    except NotFound:
        raise Http404 from None
    if c.revoked_at is not None:
        raise Http404
    access_log_record(
        user=user, action=AccessAction.EXPORT, object_type="certificate", object_id=c.pk
    )
    name = f"giay-chung-nhan-{c.serial.replace('/', '-')}.pdf"
    return _pdf(certificates_pdf([c], _verify_url(request)), name)


@require_safe
@login_required
def certificates_pdf_view(request: HttpRequest) -> HttpResponse:
    """Download every current certificate of the unit and period, one per page."""
    user = authenticated_user(request)
    scope = scope_for(user)
    period, unit = _target(request, scope)
    found = list(
        certificate_list(scope=scope, period=period, unit=unit).filter(revoked_at__isnull=True)
    )
    if not found:
        raise Http404
    _log(user, AccessAction.EXPORT, period, unit, [str(c.assessment_id) for c in found])
    name = f"giay-chung-nhan-{unit.code}-{period.code}.pdf"
    return _pdf(certificates_pdf(found, _verify_url(request)), name)


@require_safe
@login_required
def decision_pdf_view(request: HttpRequest) -> HttpResponse:
    """Download the recognition decision of one decision number, with its annexed list."""
    user = authenticated_user(request)
    scope = scope_for(user)
    period, unit = _target(request, scope)
    number = request.GET.get("number", "")
    rows = list(recognised(scope=scope, period=period, unit=unit).filter(decision_number=number))
    if not rows:
        raise Http404
    decision = decisions(rows)[0]
    _log(user, AccessAction.EXPORT, period, unit, [str(a.pk) for a in rows])
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in number)
    name = f"quyet-dinh-{unit.code}-{slug}.pdf"
    return _pdf(decision_pdf(decision, period=period, unit=unit), name)

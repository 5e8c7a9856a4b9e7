"""Reads for the recognition pages and documents; personal data only through the scope."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import Assessment, Period, State
from hoctap.assessments.periods import period_get
from hoctap.core.errors import NotFound
from hoctap.organisation.models import Unit
from hoctap.organisation.selectors import unit_resolve_between
from hoctap.recognition.models import Certificate


@dataclass(frozen=True)
class Decision:
    """One recognition decision: the assessments that carry the same decision number."""

    number: str
    date: date | None
    body: str
    assessments: tuple[Assessment, ...]


def recognition_target(*, scope: Scope, period_code: str, unit_code: str) -> tuple[Period, Unit]:
    """Resolve the period and the unit (valid during it) and check the unit lies in scope."""
    try:
        period = period_get(period_code)
        unit = unit_resolve_between(
            code=unit_code, starts_on=period.starts_on, ends_on=period.ends_on
        )
    except ValidationError:
        raise NotFound(_("No such unit.")) from None
    if not scope.covers_path(unit.path):
        raise NotFound(_("No such unit."))
    return period, unit


def recognised(*, scope: Scope, period: Period, unit: Unit) -> QuerySet[Assessment]:
    """Return the decided, passed assessments under `unit`, each with its current certificate."""
    current = Certificate.objects.filter(revoked_at__isnull=True)
    return (
        scope.filter(Assessment.objects.all(), "unit")
        .filter(period=period, unit__path__startswith=unit.path, state=State.DECIDED, passed=True)
        .select_related("citizen", "unit", "scheme")
        .prefetch_related(Prefetch("certificates", queryset=current, to_attr="current"))
        .order_by("decision_number", "unit__name", "citizen__search_name", "pk")
    )


def decisions(rows: list[Assessment]) -> list[Decision]:
    """Group recognised assessments by decision number (one decision document each)."""
    grouped: dict[str, list[Assessment]] = {}
    for a in rows:
        grouped.setdefault(a.decision_number, []).append(a)
    found = []
    for number, members in grouped.items():
        dates = sorted(a.decision_date for a in members if a.decision_date)
        found.append(
            Decision(
                number=number,
                date=dates[0] if dates else None,
                body=next((a.decision_body for a in members if a.decision_body), ""),
                assessments=tuple(members),
            )
        )
    return found


def certificate_list(*, scope: Scope, period: Period, unit: Unit) -> QuerySet[Certificate]:
    """Return the certificates of a period under `unit`, revoked ones included, by serial."""
    return (
        scope.filter(Certificate.objects.all(), "assessment__unit")
        .filter(assessment__period=period, assessment__unit__path__startswith=unit.path)
        .select_related("assessment__citizen", "assessment__unit", "assessment__period", "issuer")
        .order_by("issuer__code", "year", "number")
    )


def certificate_get(*, scope: Scope, certificate_id: int) -> Certificate:
    """Return one certificate in scope, or raise NotFound."""
    found = (
        scope.filter(Certificate.objects.all(), "assessment__unit")
        .select_related("assessment__citizen", "assessment__unit", "assessment__period", "issuer")
        .filter(pk=certificate_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such certificate."))
    return found


def certificate_by_token(token: str) -> Certificate | None:
    """Return the certificate a verification link names, or None."""
    if not token or len(token) > 64:
        return None
    return (
        Certificate.objects.select_related(
            "assessment__citizen", "assessment__period", "assessment__scheme", "issuer"
        )
        .filter(token=token)
        .first()
    )

"""Reads of assessments, always through the reader's scope."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.assessments.models import Assessment, Period
from hoctap.core.errors import NotFound
from hoctap.organisation.models import Unit, UnitKind


@dataclass(frozen=True)
class UnitChoice:
    code: str
    name: str
    depth: int

    @property
    def label(self) -> str:
        """Return the name as the searchable list shows it, with the code to tell twins apart."""
        return f"{self.name} ({self.code})"


# Where people are enrolled: the levels above a commune hold no one directly.
_ENROLLING_KINDS = (
    UnitKind.COMMUNE,
    UnitKind.BRANCH,
    UnitKind.VILLAGE,
    UnitKind.AGENCY,
    UnitKind.CLAN,
)


def assessment_list(*, user: User, scope: Scope | None = None) -> QuerySet[Assessment]:
    """Return the assessments made in units within `user`'s scope."""
    scope = scope or scope_for(user)
    return scope.filter(Assessment.objects.all(), "unit").select_related(
        "period", "scheme", "unit", "citizen"
    )


_CODE_AT_END = re.compile(r"\(([^()]+)\)\s*$")


def unit_code_of(value: str) -> str:
    """Return the unit code in "Name (code)", as a unit list offers it, or `value` itself."""
    found = _CODE_AT_END.search(value)
    return found.group(1).strip() if found else value.strip()


@dataclass(frozen=True)
class AssessmentFilter:
    """What a list of assessments is narrowed to: the same for the queue, the API and exports.

    `unit` is a unit code and means that unit's whole subtree, as the unit stood during the
    period (a code may pass to a successor).
    """

    period: str = ""
    unit: str = ""
    group: str = ""
    state: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "AssessmentFilter":
        """Read the filter from a query string's values, trimmed."""
        return cls(**{name: str(query.get(name, "")).strip() for name in _FILTER_FIELDS})

    def as_query(self) -> str:
        """Return the filter as a query string (without "?"), leaving out what is blank."""
        return urlencode(
            {name: getattr(self, name) for name in _FILTER_FIELDS if getattr(self, name)}
        )


_FILTER_FIELDS = ("period", "unit", "group", "state")
# The order of the queue, which "go on to the next person" follows.
QUEUE_ORDER = ("unit__path", "citizen__search_name", "pk")


def assessment_filtered(
    *, user: User, filters: AssessmentFilter, scope: Scope | None = None
) -> QuerySet[Assessment]:
    """Return the assessments in scope that match `filters`; NotFound for a unit outside it."""
    scope = scope or scope_for(user)
    rows = assessment_list(user=user, scope=scope)
    period = None
    if filters.period:
        rows = rows.filter(period__code=filters.period)
        period = Period.objects.filter(code=filters.period).first()
    if filters.unit:
        units = Unit.objects.filter(code=filters.unit)
        if period is not None:
            units = units.during(period.starts_on, period.ends_on)
        unit = scope.filter(units, "").order_by("-valid_from").first()
        if unit is None:
            raise NotFound(_("No such unit."))
        rows = rows.filter(unit__path__startswith=unit.path)
    if filters.group:
        rows = rows.filter(group=filters.group)
    if filters.state:
        rows = rows.filter(state=filters.state)
    return rows


def assessment_next(
    *, user: User, filters: AssessmentFilter, after: Assessment, scope: Scope | None = None
) -> Assessment | None:
    """Return the assessment that follows `after` in the queue `filters` select, if any."""
    rows = assessment_filtered(user=user, filters=filters, scope=scope).exclude(pk=after.pk)
    path, name = after.unit.path, after.citizen.search_name if after.citizen else ""
    later = (
        Q(unit__path__gt=path)
        | Q(unit__path=path, citizen__search_name__gt=name)
        | Q(unit__path=path, citizen__search_name=name, pk__gt=after.pk)
    )
    return rows.filter(later).order_by(*QUEUE_ORDER).first()


def assessment_get(*, user: User, assessment_id: UUID, scope: Scope | None = None) -> Assessment:
    """Return one assessment in scope; NotFound for anything else, existing or not."""
    try:
        return assessment_list(user=user, scope=scope).get(pk=assessment_id)
    except (Assessment.DoesNotExist, ValueError):
        raise NotFound(_("No such assessment.")) from None


def assessment_state_counts(
    *, user: User, period_code: str, scope: Scope | None = None
) -> dict[str, int]:
    """Count the assessments of a period in `user`'s scope by state, in one query."""
    rows = (
        assessment_list(user=user, scope=scope)
        .filter(period__code=period_code)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["state"]: r["n"] for r in rows}


def enrolment_units(
    *, user: User, period: Period, scope: Scope | None = None, every_kind: bool = False
) -> list[UnitChoice]:
    """Return the units of `user`'s area in force during the period where people enrol.

    With `every_kind`, the units above communes too (to narrow a list to a district).
    """
    scope = scope or scope_for(user)
    units = scope.filter(Unit.objects.during(period.starts_on, period.ends_on), "")
    if not every_kind:
        units = units.filter(kind__in=_ENROLLING_KINDS)
    return [
        UnitChoice(code=code, name=name, depth=depth)
        for code, name, depth in units.order_by("path", "-valid_from").values_list(
            "code", "name", "depth"
        )
    ]

"""Attendance as evidence on an assessment, and courses for indicators scored too low."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Max, Min
from django.utils.translation import gettext as _

from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import Assessment, Period
from hoctap.core.errors import NotFound
from hoctap.learning.models import Course
from hoctap.people.models import Citizen


@dataclass(frozen=True)
class CourseAttended:
    """One course a person attended during a period: evidence for `indicators`."""

    course: Course
    sessions: int
    first: date
    last: date
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    """A course that supports indicators on which the person scored below the minimum."""

    course: Course
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class LearningEvidence:
    """What the assessment page shows from the learning centre."""

    attended: list[CourseAttended]
    low: tuple[str, ...]
    suggestions: list[Suggestion]


def indicator_minimum(rule: Mapping[str, Any]) -> Decimal | None:
    """Return the per-indicator minimum of a rule (`each_at_least`), looking inside all_of."""
    if rule.get("type") == "sum_min":
        return Decimal(str(rule["each_at_least"]))
    if rule.get("type") == "all_of":
        found = [indicator_minimum(r) for r in rule.get("rules", [])]
        values = [m for m in found if m is not None]
        return max(values) if values else None
    return None


def below_minimum(scores: Mapping[str, Any], minimum: Decimal | None) -> tuple[str, ...]:
    """Return the indicator codes whose score lies below `minimum`, in code order."""
    if minimum is None:
        return ()
    low = []
    for code, value in scores.items():
        try:
            if value not in (None, "") and Decimal(str(value)) < minimum:
                low.append(code)
        except InvalidOperation:
            continue
    return tuple(sorted(low, key=_code_key))


def _code_key(code: str) -> tuple[str, int]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return code.rstrip("0123456789"), int(digits or 0)


def latest_scores(a: Assessment) -> dict[str, Any]:
    """Return the most advanced score layer that holds anything: final, reviewer, then self."""
    return dict(a.final_scores or a.reviewer_scores or a.self_scores or {})


def courses_for_indicator(*, citizen: Citizen, period: Period) -> list[Suggestion]:
    """Return the current or upcoming courses of the citizen's commune for their low indicators.

    The citizen's latest assessment up to `period` decides which indicators are low; a course
    is current or upcoming when it has not ended before the period starts.
    """
    latest = (
        Assessment.objects.filter(citizen=citizen, period__starts_on__lte=period.starts_on)
        .select_related("scheme")
        .order_by("-period__starts_on")
        .first()
    )
    if latest is None:
        return []
    low = set(below_minimum(latest_scores(latest), indicator_minimum(latest.scheme.rule)))
    if not low:
        return []
    ancestors = [int(p) for p in citizen.home_unit.path.strip("/").split("/") if p]
    courses = Course.objects.filter(
        centre__unit_id__in=ancestors, ends_on__gte=period.starts_on
    ).select_related("centre")
    return [
        Suggestion(course=c, indicators=tuple(i for i in c.indicators if i in low))
        for c in courses.order_by("starts_on", "pk")
        if low & set(c.indicators)
    ]


def attendance_evidence(*, scope: Scope, assessment: Assessment) -> LearningEvidence:
    """Return the courses the assessed person attended during the period, and suggestions."""
    if not scope.covers_path(assessment.unit.path):
        raise NotFound(_("No such assessment."))
    citizen = assessment.citizen
    if citizen is None:
        return LearningEvidence(attended=[], low=(), suggestions=[])
    period = assessment.period
    rows = (
        Course.objects.filter(
            sessions__attendances__citizen=citizen,
            sessions__date__gte=period.starts_on,
            sessions__date__lte=period.ends_on,
        )
        .annotate(
            attended=Count("sessions__attendances"),
            first=Min("sessions__date"),
            last=Max("sessions__date"),
        )
        .select_related("centre")
        .order_by("starts_on", "pk")
    )
    attended = [
        CourseAttended(
            course=c,
            sessions=c.attended,
            first=c.first,
            last=c.last,
            indicators=tuple(c.indicators),
        )
        for c in rows
    ]
    low = below_minimum(latest_scores(assessment), indicator_minimum(assessment.scheme.rule))
    suggestions = courses_for_indicator(citizen=citizen, period=period) if low else []
    return LearningEvidence(attended=attended, low=low, suggestions=suggestions)

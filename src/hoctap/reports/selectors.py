"""The summary report, computed by aggregation queries in the database.

Every figure comes from COUNT/SUM queries grouped by a few columns (unit, group, state,
result, sex…); Python only adds up those grouped counts, never assessment rows.
"""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, IntegerField, QuerySet, Sum, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import Assessment, Period, PeriodClosure, State
from hoctap.assessments.periods import period_get, period_scheme
from hoctap.core.errors import NotFound
from hoctap.organisation.models import Unit
from hoctap.organisation.selectors import unit_resolve_between, unit_restated
from hoctap.people.models import Sex
from hoctap.reports.figures import mean, rate
from hoctap.reports.model import (
    Counts,
    IndicatorRow,
    PendingRow,
    Row,
    SummaryReport,
    TargetRow,
    TrendRow,
)
from hoctap.schemes.definition import SchemeDefinition
from hoctap.schemes.models import SchemeStatus, SubjectType

TREES = ("historical", "restated")
AGE_BANDS = ((0, 29, "15–29"), (30, 44, "30–44"), (45, 59, "45–59"), (60, 200, "60+"))
# QĐ 677/QĐ-TTg: 60 % of officials recognised as learning citizens by 2025.
OFFICIALS_TARGET = Decimal("60")


def _report_unit(*, scope: Scope, code: str, period: Period, tree: str) -> Unit:
    """Resolve the unit for the tree asked for and check it lies in the user's scope."""
    if tree == "restated":
        day = timezone.localdate()
        unit = Unit.objects.valid_on(day).filter(code=code.strip()).first()
    else:
        unit = unit_resolve_between(code=code, starts_on=period.starts_on, ends_on=period.ends_on)
    if unit is None or not scope.covers_path(unit.path):
        raise NotFound(_("No such unit."))
    return unit


def _effective_paths(period: Period, unit: Unit, tree: str) -> dict[int, str]:
    """Map each unit holding assessments of the period to its path in the chosen tree."""
    holding = Assessment.objects.filter(period=period)
    if tree == "historical":
        holding = holding.filter(unit__path__startswith=unit.path)
    ids = set(holding.values_list("unit_id", flat=True).distinct())
    units = Unit.objects.in_bulk(ids)
    today = timezone.localdate()
    paths: dict[int, str] = {}
    for pk, held in units.items():
        if tree == "restated" and not held.is_valid_on(today):
            successors = unit_restated(unit=held, on=today)
            if not successors:
                continue
            paths[pk] = successors[0].path
        else:
            paths[pk] = held.path
    return {pk: path for pk, path in paths.items() if path.startswith(unit.path)}


def _children(unit: Unit, period: Period, tree: str) -> list[Unit]:
    children = Unit.objects.filter(parent=unit)
    if tree == "restated":
        children = children.valid_on(timezone.localdate())
    else:
        children = children.filter(valid_from__lte=period.ends_on).exclude(
            valid_to__lt=period.starts_on
        )
    return list(children.order_by("name"))


def summary_report(
    *, scope: Scope, period_code: str, unit_code: str, tree: str = "historical"
) -> SummaryReport:
    """Compute the pilot's results table and every breakdown behind it for a unit subtree."""
    if tree not in TREES:
        tree = "historical"
    period = period_get(period_code)
    unit = _report_unit(scope=scope, code=unit_code, period=period, tree=tree)
    scheme = period_scheme(period, SubjectType.CITIZEN)
    definition = scheme.parsed
    paths = _effective_paths(period, unit, tree)
    base = Assessment.objects.filter(period=period, unit_id__in=list(paths))
    per_unit = list(base.values("unit_id", "group", "state", "passed").annotate(n=Count("pk")))
    return SummaryReport(
        period=period.code,
        period_label=period.code,
        unit_code=unit.code,
        unit_name=unit.name,
        unit_kind=unit.kind,
        tree=tree,
        scheme=str(scheme),
        scheme_provisional=scheme.status == SchemeStatus.PROVISIONAL,
        totals=_total(per_unit),
        final=_final(per_unit, paths, period),
        by_group=_by_group(per_unit, definition),
        by_unit=_by_child(per_unit, paths, _children(unit, period, tree)),
        by_indicator=_by_indicator(base, definition),
        by_sex=_by_sex(base),
        by_ethnicity=_by_ethnicity(base),
        by_age_band=_by_age_band(base, period),
        pending=_pending(per_unit),
        trend=_trend(unit),
        targets=_targets(per_unit),
    )


def _total(rows: list[dict[str, Any]]) -> Counts:
    counts = Counts()
    for r in rows:
        counts.add(n=r["n"], state=r["state"], passed=r["passed"])
    return counts


def _final(rows: list[dict[str, Any]], paths: dict[int, str], period: Period) -> Counts:
    """Count only decided assessments in communes that have closed the period."""
    closed = list(PeriodClosure.objects.filter(period=period).values_list("unit__path", flat=True))
    counts = Counts()
    for r in rows:
        if r["state"] == State.DECIDED and any(paths[r["unit_id"]].startswith(c) for c in closed):
            counts.add(n=r["n"], state=r["state"], passed=r["passed"])
    return counts


def _by_group(rows: list[dict[str, Any]], definition: SchemeDefinition) -> list[Row]:
    by_code = {g.code: Row(g.code, g.label) for g in definition.groups}
    for r in rows:
        if r["group"] in by_code:
            by_code[r["group"]].counts.add(n=r["n"], state=r["state"], passed=r["passed"])
    return list(by_code.values())


def _by_child(rows: list[dict[str, Any]], paths: dict[int, str], children: list[Unit]) -> list[Row]:
    result = [Row(c.code, c.name) for c in children]
    for r in rows:
        path = paths[r["unit_id"]]
        for child, row in zip(children, result, strict=True):
            if path.startswith(child.path):
                row.counts.add(n=r["n"], state=r["state"], passed=r["passed"])
                break
    return result


def _decided(base: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return base.filter(state=State.DECIDED)


def _by_indicator(base: QuerySet[Assessment], definition: SchemeDefinition) -> list[IndicatorRow]:
    """Mean final score and number below the rule's minimum, per indicator, in one query."""
    minimum = (
        definition.rule.get("each_at_least") if definition.rule.get("type") == "sum_min" else None
    )
    decided = _decided(base)
    annotations = {
        f"v_{i}": Cast(
            KeyTextTransform(ind.code, "final_scores"), DecimalField(max_digits=7, decimal_places=2)
        )
        for i, ind in enumerate(definition.indicators)
    }
    aggregates: dict[str, Any] = {"n": Count("pk")}
    for i in range(len(definition.indicators)):
        aggregates[f"sum_{i}"] = Sum(f"v_{i}")
        if minimum is not None:
            aggregates[f"low_{i}"] = Sum(
                Case(When(**{f"v_{i}__lt": Decimal(str(minimum))}, then=1), default=0),
                output_field=IntegerField(),
            )
    totals = decided.annotate(**annotations).aggregate(**aggregates)
    return [
        IndicatorRow(
            code=ind.code,
            text=ind.text,
            mean_final=mean(Decimal(totals[f"sum_{i}"] or 0), totals["n"]),
            below_min=(totals[f"low_{i}"] or 0) if minimum is not None else None,
        )
        for i, ind in enumerate(definition.indicators)
    ]


def _grouped(base: QuerySet[Assessment], field: str) -> list[dict[str, Any]]:
    return list(base.values(field, "state", "passed").annotate(n=Count("pk")))


def _by_sex(base: QuerySet[Assessment]) -> list[Row]:
    rows = {s.value: Row(s.value, str(s.label)) for s in Sex}
    for r in _grouped(base, "citizen__sex"):
        if r["citizen__sex"] in rows:
            rows[r["citizen__sex"]].counts.add(n=r["n"], state=r["state"], passed=r["passed"])
    return list(rows.values())


def _by_ethnicity(base: QuerySet[Assessment]) -> list[Row]:
    rows: dict[str, Row] = {}
    for r in _grouped(base, "citizen__ethnicity__name"):
        name = r["citizen__ethnicity__name"] or _("Not recorded")
        rows.setdefault(name, Row(name, name)).counts.add(
            n=r["n"], state=r["state"], passed=r["passed"]
        )
    return sorted(rows.values(), key=lambda row: -row.counts.enrolled)


def _by_age_band(base: QuerySet[Assessment], period: Period) -> list[Row]:
    rows = [Row(label, label) for _lo, _hi, label in AGE_BANDS]
    year = period.starts_on.year
    for r in _grouped(base, "citizen__birth_year"):
        if r["citizen__birth_year"] is None:
            continue
        age = year - r["citizen__birth_year"]
        for (lo, hi, _label), row in zip(AGE_BANDS, rows, strict=True):
            if lo <= age <= hi:
                row.counts.add(n=r["n"], state=r["state"], passed=r["passed"])
                break
    return rows


def _pending(rows: list[dict[str, Any]]) -> list[PendingRow]:
    """Units, down to the village, that still have assessments not decided."""
    by_unit: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        if r["state"] != State.DECIDED:
            by_unit[r["unit_id"]][r["state"]] += r["n"]
    units = Unit.objects.in_bulk(list(by_unit))
    result = [
        PendingRow(units[pk].code, units[pk].name, units[pk].kind, dict(states))
        for pk, states in by_unit.items()
    ]
    return sorted(result, key=lambda row: (-row.total, row.code))


def _trend(unit: Unit) -> list[TrendRow]:
    """Enrolled, assessed and passed for every period, for the same subtree."""
    rows = (
        Assessment.objects.filter(unit__path__startswith=unit.path)
        .values("period__code", "period__starts_on", "state", "passed")
        .annotate(n=Count("pk"))
        .order_by("period__starts_on")
    )
    trend: dict[str, Counts] = {}
    for r in rows:
        trend.setdefault(r["period__code"], Counts()).add(
            n=r["n"], state=r["state"], passed=r["passed"]
        )
    return [TrendRow(code, counts) for code, counts in trend.items()]


def _targets(rows: list[dict[str, Any]]) -> list[TargetRow]:
    officials = Counts()
    for r in rows:
        if r["group"] == "G3":
            officials.add(n=r["n"], state=r["state"], passed=r["passed"])
    return [
        TargetRow(
            code="officials_cdht",
            label=_("Officials recognised as learning citizens (QĐ 677/QĐ-TTg, 2025)"),
            target_percent=OFFICIALS_TARGET,
            actual_percent=rate(officials.passed, officials.enrolled),
            numerator=officials.passed,
            denominator=officials.enrolled,
        )
    ]

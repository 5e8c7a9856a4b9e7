"""The summary report, read from the exact rollups kept beside the assessments.

Every figure comes from SUM queries over report cells grouped by a few columns (unit,
group, state, outcome, sex…); Python only adds up those grouped counts. The cells are kept
exact in the same transaction as every change (rollups.py) and checked by check-rollups.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import Period, PeriodClosure, State
from hoctap.assessments.periods import period_get, period_scheme
from hoctap.core.errors import NotFound
from hoctap.organisation.models import Unit
from hoctap.organisation.selectors import unit_resolve_between
from hoctap.people.models import Ethnicity, Sex
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
from hoctap.reports.models import Dimension, ReportCell, ReportIndicatorCell
from hoctap.reports.movement import centres_activity, titles_summary
from hoctap.reports.rollups import AGE_BANDS, NOT_RECORDED, rule_minimum
from hoctap.reports.trees import paths_in_tree
from hoctap.schemes.definition import SchemeDefinition
from hoctap.schemes.models import SchemeStatus, SubjectType

TREES = ("historical", "restated")
# QĐ 677/QĐ-TTg: by 2025, 60 % of officials recognised as learning citizens. A period may set
# its own figure in Period.targets. The 40 % of adults in learning families, clans and
# communities needs the sibling titles, which are not computed yet.
DEFAULT_TARGETS = {"officials_cdht": Decimal("60")}


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
    holding = ReportCell.objects.filter(period=period, dimension=Dimension.GROUP, n__gt=0)
    if tree == "historical":
        inside = holding.filter(unit__path__startswith=unit.path)
        return dict(inside.values_list("unit_id", "unit__path").distinct())
    return paths_in_tree(set(holding.values_list("unit_id", flat=True).distinct()), unit, tree)


def _cells(period: Period, unit: Unit, tree: str, paths: dict[int, str]) -> QuerySet[ReportCell]:
    """Return the period's cells inside the subtree (by path, or by id for the restated tree)."""
    cells = ReportCell.objects.filter(period=period, n__gt=0)
    if tree == "historical":
        return cells.filter(unit__path__startswith=unit.path)
    return cells.filter(unit_id__in=list(paths))


def _summed(cells: QuerySet[ReportCell], dimension: str, *fields: str) -> list[dict[str, Any]]:
    """Sum a dimension's cells by the given fields plus state and outcome."""
    rows = (
        cells.filter(dimension=dimension)
        .values(*fields, "state", "outcome")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return [{**r, "n": r["total"], "passed": r["outcome"] == "passed"} for r in rows]


def _children(unit: Unit, period: Period, tree: str) -> list[Unit]:
    children = Unit.objects.filter(parent=unit)
    if tree == "restated":
        children = children.valid_on(timezone.localdate())
    else:
        children = children.during(period.starts_on, period.ends_on)
    return list(children.order_by("name"))


@dataclass
class _Folded:
    """The per-unit group counts, added up once into the two shapes the report reads.

    `groups` holds (group, state, outcome) over the whole subtree, for totals, groups and
    targets; `units` holds (unit, state, outcome), for children, final figures and pending.
    At a million assessments the rows come to ~10,000 and the folds to a few hundred and a
    few thousand entries, so each breakdown loops over a small dict, not the rows.
    """

    groups: Counter[tuple[str, str, str]]
    units: Counter[tuple[int, str, str]]


def _fold(cells: QuerySet[ReportCell]) -> _Folded:
    rows = (
        cells.filter(dimension=Dimension.GROUP)
        .values_list("unit_id", "value", "state", "outcome")
        .annotate(total=Sum("n"))
        .order_by()
    )
    groups: Counter[tuple[str, str, str]] = Counter()
    units: Counter[tuple[int, str, str]] = Counter()
    for unit_id, group, state, outcome, n in rows:
        groups[group, state, outcome] += n
        units[unit_id, state, outcome] += n
    return _Folded(groups, units)


def _add(counts: Counts, n: int, state: str, outcome: str) -> None:
    counts.add(n=n, state=state, passed=outcome == "passed")


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
    cells = _cells(period, unit, tree, paths)
    folded = _fold(cells)
    return SummaryReport(
        period=period.code,
        unit_code=unit.code,
        unit_name=unit.name,
        unit_kind=unit.kind,
        tree=tree,
        scheme=str(scheme),
        scheme_provisional=scheme.status == SchemeStatus.PROVISIONAL,
        totals=_total(folded),
        final=_final(folded, paths, period),
        by_group=_by_group(folded, definition),
        by_unit=_by_child(folded, paths, _children(unit, period, tree)),
        by_indicator=_by_indicator(period, unit, tree, paths, definition),
        by_sex=_by_sex(cells),
        by_ethnicity=_by_ethnicity(cells),
        by_age_band=_by_age_band(cells),
        pending=_pending(folded),
        trend=_trend(unit),
        targets=_targets(folded, period),
        titles=titles_summary(period, unit, tree),
        centres=centres_activity(period, unit, tree),
    )


def _total(folded: _Folded) -> Counts:
    counts = Counts()
    for (_group, state, outcome), n in folded.groups.items():
        _add(counts, n, state, outcome)
    return counts


def _final(folded: _Folded, paths: dict[int, str], period: Period) -> Counts:
    """Count only decided assessments in communes that have closed the period."""
    closed = list(PeriodClosure.objects.filter(period=period).values_list("unit__path", flat=True))
    counts = Counts()
    if not closed:
        return counts
    for (unit_id, state, outcome), n in folded.units.items():
        if state == State.DECIDED and any(paths[unit_id].startswith(c) for c in closed):
            _add(counts, n, state, outcome)
    return counts


def _by_group(folded: _Folded, definition: SchemeDefinition) -> list[Row]:
    by_code = {g.code: Row(g.code, g.label) for g in definition.groups}
    for (group, state, outcome), n in folded.groups.items():
        if group in by_code:
            _add(by_code[group].counts, n, state, outcome)
    return list(by_code.values())


def _by_child(folded: _Folded, paths: dict[int, str], children: list[Unit]) -> list[Row]:
    """Add each unit's counts to the direct child of the report unit it lies under."""
    result = {c.path: Row(c.code, c.name) for c in children}
    # A child's path is the report unit's path plus one id: cut each unit's path there.
    depth = children[0].path.count("/") if children else 0
    child_of: dict[int, Row | None] = {}
    for (unit_id, state, outcome), n in folded.units.items():
        if unit_id not in child_of:
            prefix = "/".join(paths[unit_id].split("/")[:depth]) + "/"
            child_of[unit_id] = result.get(prefix)
        row = child_of[unit_id]
        if row is not None:
            _add(row.counts, n, state, outcome)
    return list(result.values())


def _by_indicator(
    period: Period, unit: Unit, tree: str, paths: dict[int, str], definition: SchemeDefinition
) -> list[IndicatorRow]:
    """Mean final score and number below the rule's minimum, per indicator."""
    rule = definition.rule
    has_minimum = rule_minimum(dict(rule)) is not None
    cells = ReportIndicatorCell.objects.filter(period=period)
    if tree == "historical":
        cells = cells.filter(unit__path__startswith=unit.path)
    else:
        cells = cells.filter(unit_id__in=list(paths))
    sums = {
        r["indicator"]: r
        for r in cells.values("indicator")
        .annotate(count=Sum("n"), score=Sum("total"), low=Sum("below_min"))
        .order_by()
    }
    rows = []
    for ind in definition.indicators:
        r = sums.get(ind.code, {"count": 0, "score": 0, "low": 0})
        rows.append(
            IndicatorRow(
                code=ind.code,
                text=ind.text,
                mean_final=mean(Decimal(r["score"] or 0), r["count"] or 0),
                below_min=(r["low"] or 0) if has_minimum else None,
            )
        )
    return rows


def _by_sex(cells: QuerySet[ReportCell]) -> list[Row]:
    rows = {s.value: Row(s.value, str(s.label)) for s in Sex}
    for r in _summed(cells, Dimension.SEX, "value"):
        if r["value"] in rows:
            rows[r["value"]].counts.add(n=r["n"], state=r["state"], passed=r["passed"])
    return list(rows.values())


def _by_ethnicity(cells: QuerySet[ReportCell]) -> list[Row]:
    summed = _summed(cells, Dimension.ETHNICITY, "value")
    names = Ethnicity.objects.in_bulk([int(r["value"]) for r in summed if r["value"]])
    rows: dict[str, Row] = {}
    for r in summed:
        found = names.get(int(r["value"])) if r["value"] else None
        name = found.name if found else _("Not recorded")
        row = rows.setdefault(name, Row(name, name))
        row.counts.add(n=r["n"], state=r["state"], passed=r["passed"])
    return sorted(rows.values(), key=lambda row: -row.counts.enrolled)


def _by_age_band(cells: QuerySet[ReportCell]) -> list[Row]:
    rows = {label: Row(label, label) for _lo, _hi, label in AGE_BANDS}
    for r in _summed(cells, Dimension.AGE, "value"):
        if r["value"] != NOT_RECORDED and r["value"] in rows:
            rows[r["value"]].counts.add(n=r["n"], state=r["state"], passed=r["passed"])
    return list(rows.values())


def _pending(folded: _Folded) -> list[PendingRow]:
    """Units, down to the village, that still have assessments not decided."""
    by_unit: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (unit_id, state, _outcome), n in folded.units.items():
        if state != State.DECIDED:
            by_unit[unit_id][state] += n
    units = Unit.objects.filter(pk__in=list(by_unit)).values_list("pk", "code", "name", "kind")
    result = [PendingRow(code, name, kind, dict(by_unit[pk])) for pk, code, name, kind in units]
    return sorted(result, key=lambda row: (-row.total, row.code))


def _trend(unit: Unit) -> list[TrendRow]:
    """Enrolled, assessed and passed for every period, for the same subtree."""
    rows = (
        ReportCell.objects.filter(
            unit__path__startswith=unit.path, dimension=Dimension.GROUP, n__gt=0
        )
        .values("period__code", "period__starts_on", "state", "outcome")
        .annotate(total=Sum("n"))
        .order_by("period__starts_on")
    )
    trend: dict[str, Counts] = {}
    for r in rows:
        trend.setdefault(r["period__code"], Counts()).add(
            n=r["total"], state=r["state"], passed=r["outcome"] == "passed"
        )
    return [TrendRow(code, counts) for code, counts in trend.items()]


def _targets(folded: _Folded, period: Period) -> list[TargetRow]:
    configured = {**DEFAULT_TARGETS, **period.targets}
    officials = Counts()
    for (group, state, outcome), n in folded.groups.items():
        if group == "G3":
            _add(officials, n, state, outcome)
    return [
        TargetRow(
            code="officials_cdht",
            label=_("Officials recognised as learning citizens (QĐ 677/QĐ-TTg, 2025)"),
            target_percent=Decimal(str(configured["officials_cdht"])),
            actual_percent=rate(officials.passed, officials.enrolled),
            numerator=officials.passed,
            denominator=officials.enrolled,
        )
    ]

"""Keeping the report rollups exact: every change to an assessment moves its counts."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, DecimalField, IntegerField, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from hoctap.assessments.models import Assessment, Period, State
from hoctap.reports.models import Dimension, ReportCell, ReportIndicatorCell
from hoctap.schemes.models import Scheme

AGE_BANDS = ((0, 29, "<30"), (30, 44, "30–44"), (45, 59, "45–59"), (60, 200, "60+"))
NOT_RECORDED = "—"

CellKey = tuple[int, int, str, str, str, str]
IndicatorKey = tuple[int, int, str]


def age_band(period_start_year: int, birth_year: int | None) -> str:
    """Return the age band of someone born in `birth_year` at the start of the period."""
    if birth_year is None:
        return NOT_RECORDED
    age = period_start_year - birth_year
    return next((label for lo, hi, label in AGE_BANDS if lo <= age <= hi), NOT_RECORDED)


@dataclass(frozen=True)
class Contribution:
    """What one assessment adds to the rollups."""

    cells: tuple[CellKey, ...]
    scores: tuple[tuple[IndicatorKey, Decimal, bool], ...] = field(default=())


@dataclass(frozen=True)
class Facts:
    """What the rollups need to know of one assessment (no model instance required)."""

    period_id: int
    unit_id: int
    group: str
    state: str
    passed: bool | None
    sex: str | None
    ethnicity_id: int | None
    birth_year: int | None
    final_scores: dict[str, str]


def contribution_of(facts: Facts, *, start_year: int, minimum: Decimal | None) -> Contribution:
    """Return the cells an assessment with these facts counts in."""
    decided = facts.state == State.DECIDED
    outcome = "" if not decided else ("passed" if facts.passed else "not_passed")
    values = (
        (Dimension.GROUP, facts.group),
        (Dimension.SEX, facts.sex or NOT_RECORDED),
        (Dimension.ETHNICITY, "" if facts.ethnicity_id is None else str(facts.ethnicity_id)),
        (Dimension.AGE, age_band(start_year, facts.birth_year)),
    )
    cells = tuple(
        (facts.period_id, facts.unit_id, str(dim), value, facts.state, outcome)
        for dim, value in values
    )
    if not decided:
        return Contribution(cells)
    scores = tuple(
        (
            (facts.period_id, facts.unit_id, code),
            Decimal(value),
            minimum is not None and Decimal(value) < minimum,
        )
        for code, value in facts.final_scores.items()
    )
    return Contribution(cells, scores)


def contribution(a: Assessment) -> Contribution:
    """Return the cells an assessment counts in, as it stands now."""
    citizen = a.citizen
    facts = Facts(
        period_id=a.period_id,
        unit_id=a.unit_id,
        group=a.group,
        state=a.state,
        passed=a.passed,
        sex=citizen.sex if citizen else None,
        ethnicity_id=citizen.ethnicity_id if citizen else None,
        birth_year=citizen.birth_year if citizen else None,
        final_scores=a.final_scores,
    )
    return contribution_of(facts, start_year=a.period.starts_on.year, minimum=_minimum(a))


def rule_minimum(rule: dict[str, Any]) -> Decimal | None:
    """Return the per-indicator minimum of a sum_min rule (None for other rules)."""
    if rule.get("type") != "sum_min":
        return None
    return Decimal(str(rule["each_at_least"]))


def _minimum(a: Assessment) -> Decimal | None:
    return rule_minimum(a.scheme.rule)


_CELL_COLUMNS = "period_id, unit_id, dimension, value, state, outcome, n"
_CELL_CONFLICT = (
    "ON CONFLICT (period_id, unit_id, dimension, value, state, outcome) "
    "DO UPDATE SET n = reports_reportcell.n + excluded.n"
)
_INDICATOR_COLUMNS = "period_id, unit_id, indicator, n, total, below_min"
_INDICATOR_CONFLICT = (
    "ON CONFLICT (period_id, unit_id, indicator) DO UPDATE SET "
    "n = reports_reportindicatorcell.n + excluded.n, "
    "total = reports_reportindicatorcell.total + excluded.total, "
    "below_min = reports_reportindicatorcell.below_min + excluded.below_min"
)
# PostgreSQL takes every row of an upsert in one statement, one array per column (the keys are
# unique, which ON CONFLICT DO UPDATE requires); SQLite takes them one by one.
_CELL_TYPES = ("bigint", "bigint", "text", "text", "text", "text", "integer")
_INDICATOR_TYPES = ("bigint", "bigint", "text", "integer", "numeric", "integer")


def _upsert(
    cursor: Any, table: str, columns: str, conflict: str, types: tuple[str, ...], rows: list[Any]
) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        # Every part of the statement is a constant of this module; the rows are parameters.
        statement = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) {conflict}"  # noqa: S608
        cursor.execute(statement, [list(column) for column in zip(*rows, strict=True)])
        return
    marks = ", ".join(["%s"] * len(types))
    statement = f"INSERT INTO {table} ({columns}) VALUES ({marks}) {conflict}"  # noqa: S608
    cursor.executemany(statement, rows)


def rollup_apply(changes: Iterable[tuple[Contribution, int]]) -> None:
    """Add each contribution `sign` times (+1 to count it, -1 to take it back), in one go."""
    cells: Counter[CellKey] = Counter()
    indicators: dict[IndicatorKey, list[Decimal]] = {}
    for contrib, sign in changes:
        for cell in contrib.cells:
            cells[cell] += sign
        for ind, value, low in contrib.scores:
            acc = indicators.setdefault(ind, [Decimal(0), Decimal(0), Decimal(0)])
            acc[0] += sign
            acc[1] += sign * value
            acc[2] += sign * int(low)
    cell_rows = [(*key, n) for key, n in cells.items() if n]
    indicator_rows = [(*key, int(a[0]), a[1], int(a[2])) for key, a in indicators.items() if any(a)]
    with connection.cursor() as cursor:
        _upsert(cursor, "reports_reportcell", _CELL_COLUMNS, _CELL_CONFLICT, _CELL_TYPES, cell_rows)
        _upsert(
            cursor,
            "reports_reportindicatorcell",
            _INDICATOR_COLUMNS,
            _INDICATOR_CONFLICT,
            _INDICATOR_TYPES,
            indicator_rows,
        )


def rollup_change(before: Contribution | None, after: Contribution | None) -> None:
    """Move an assessment's counts from what it was to what it is."""
    changes: list[tuple[Contribution, int]] = []
    if before is not None:
        changes.append((before, -1))
    if after is not None:
        changes.append((after, 1))
    rollup_apply(changes)


def _outcome(state: str, passed: bool | None) -> str:
    if state != State.DECIDED:
        return ""
    return "passed" if passed else "not_passed"


def _fresh_cells(period: Period) -> Counter[CellKey]:
    """Count every cell afresh with GROUP BY queries over the assessments themselves."""
    cells: Counter[CellKey] = Counter()
    rows = Assessment.objects.filter(period=period)
    fields = {
        Dimension.GROUP: "group",
        Dimension.SEX: "citizen__sex",
        Dimension.ETHNICITY: "citizen__ethnicity_id",
        Dimension.AGE: "citizen__birth_year",
    }
    year = period.starts_on.year
    for dim, name in fields.items():
        grouped = rows.values("unit_id", name, "state", "passed").annotate(n=Count("pk"))
        for r in grouped:
            raw = r[name]
            if dim == Dimension.AGE:
                value = age_band(year, raw)
            elif dim == Dimension.SEX:
                value = raw or NOT_RECORDED
            else:
                value = "" if raw is None else str(raw)
            key = (
                period.pk,
                r["unit_id"],
                str(dim),
                value,
                r["state"],
                _outcome(r["state"], r["passed"]),
            )
            cells[key] += r["n"]
    return cells


def _fresh_indicators(period: Period) -> dict[IndicatorKey, tuple[int, Decimal, int]]:
    """Sum final scores per unit and indicator afresh, in the database."""
    result: dict[IndicatorKey, tuple[int, Decimal, int]] = {}
    decided = Assessment.objects.filter(period=period, state=State.DECIDED)
    for scheme_id in decided.values_list("scheme_id", flat=True).distinct():
        scheme = Scheme.objects.get(pk=scheme_id)
        minimum = rule_minimum(scheme.rule)
        for code in scheme.parsed.indicator_codes:
            value = Cast(
                KeyTextTransform(code, "final_scores"), DecimalField(max_digits=7, decimal_places=2)
            )
            low = (
                Case(When(v__lt=minimum, then=1), default=0, output_field=IntegerField())
                if minimum is not None
                else Value(0)
            )
            grouped = (
                decided.filter(scheme_id=scheme_id)
                .annotate(v=value)
                .values("unit_id")
                .annotate(n=Count("pk"), total=Sum("v"), low=Sum(low))
            )
            for r in grouped:
                key = (period.pk, r["unit_id"], code)
                n, total, below = result.get(key, (0, Decimal(0), 0))
                result[key] = (
                    n + r["n"],
                    total + Decimal(r["total"] or 0),
                    below + (r["low"] or 0),
                )
    return result


def _fresh(period: Period) -> tuple[Counter[CellKey], dict[IndicatorKey, tuple[int, Decimal, int]]]:
    """Count a period afresh from its assessments (used to rebuild and to check)."""
    return _fresh_cells(period), _fresh_indicators(period)


@transaction.atomic
def rollups_rebuild(period: Period) -> None:
    """Replace a period's rollups with a fresh count."""
    ReportCell.objects.filter(period=period).delete()
    ReportIndicatorCell.objects.filter(period=period).delete()
    cells, indicators = _fresh(period)
    ReportCell.objects.bulk_create(
        ReportCell(
            period_id=k[0], unit_id=k[1], dimension=k[2], value=k[3], state=k[4], outcome=k[5], n=n
        )
        for k, n in cells.items()
    )
    ReportIndicatorCell.objects.bulk_create(
        ReportIndicatorCell(
            period_id=k[0], unit_id=k[1], indicator=k[2], n=v[0], total=v[1], below_min=v[2]
        )
        for k, v in indicators.items()
    )


def rollups_differences(period: Period) -> list[str]:
    """List every rollup that differs from a fresh count of the period (empty when exact)."""
    cells, indicators = _fresh(period)
    stored = {
        (c.period_id, c.unit_id, c.dimension, c.value, c.state, c.outcome): c.n
        for c in ReportCell.objects.filter(period=period)
    }
    problems = [
        f"cell {key}: stored {stored.get(key, 0)}, counted {cells.get(key, 0)}"
        for key in sorted(set(stored) | set(cells))
        if stored.get(key, 0) != cells.get(key, 0)
    ]
    stored_ind = {
        (c.period_id, c.unit_id, c.indicator): (c.n, c.total, c.below_min)
        for c in ReportIndicatorCell.objects.filter(period=period)
    }
    zero = (0, Decimal(0), 0)
    problems += [
        f"indicator {key}: stored {stored_ind.get(key, zero)}, counted {indicators.get(key, zero)}"
        for key in sorted(set(stored_ind) | set(indicators))
        if stored_ind.get(key, zero) != indicators.get(key, zero)
    ]
    return problems


def periods_with_assessments() -> list[Period]:
    ids = (
        Assessment.objects.values("period").annotate(n=Count("pk")).values_list("period", flat=True)
    )
    return list(Period.objects.filter(pk__in=ids))

"""Every figure of the report equals a brute-force count over the rows it summarises."""

import itertools
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import Assessment, State
from hoctap.assessments.periods import period_open
from hoctap.assessments.scoring import outcome_of
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen
from hoctap.reports.rollups import rollups_rebuild
from hoctap.reports.selectors import summary_report
from hoctap.schemes.models import SubjectType

pytestmark = pytest.mark.django_db

EVERYTHING = Scope(paths=(), roles=frozenset(), everything=True)
# A fresh period for each example, while the pilot's units stood.
_periods = itertools.count(1)
CODES = [f"CS{i}" for i in range(1, 11)]


def _rate(part: int, whole: int) -> float:
    if not whole:
        return 0.0
    return float((Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


people = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=369),
        st.sampled_from(["G1", "G2", "G3"]),
        st.sampled_from([s.value for s in State]),
        st.lists(st.integers(min_value=0, max_value=10), min_size=10, max_size=10),
    ),
    min_size=0,
    max_size=40,
    unique_by=lambda t: t[0],
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=people, where=st.sampled_from(["099", "03253", "03289", "03274", "03289-CH1"]))
def test_every_figure_equals_a_brute_force_count(rows: list[Any], where: str) -> None:
    period, scheme, _created = period_open(
        code=f"T{next(_periods)}",
        scheme_code="cdht-2020",
        starts_on=date(2022, 1, 1),
        ends_on=date(2022, 12, 31),
    )
    definition = scheme.parsed
    citizens = list(Citizen.objects.order_by("pk").select_related("home_unit", "workplace"))
    made = []
    for index, group, state, raw in rows:
        citizen = citizens[index]
        scores = {c: str(v) for c, v in zip(CODES, raw, strict=True)}
        outcome = outcome_of(definition, scores)
        decided = state == State.DECIDED
        made.append(
            Assessment(
                period=period,
                scheme=scheme,
                subject_type=SubjectType.CITIZEN,
                citizen=citizen,
                unit=citizen.workplace or citizen.home_unit,
                group=group,
                state=state,
                final_scores=scores if decided else {},
                passed=outcome.passed if decided else None,
                result=outcome.code if decided else "",
            )
        )
    Assessment.objects.bulk_create(made)
    rollups_rebuild(period)
    report = summary_report(scope=EVERYTHING, period_code=period.code, unit_code=where)
    root = Unit.objects.get(code=where)
    inside = [a for a in made if a.unit.path.startswith(root.path)]
    decided = [a for a in inside if a.state == State.DECIDED]
    passed = [a for a in decided if a.passed]
    assert (report.totals.enrolled, report.totals.assessed, report.totals.passed) == (
        len(inside),
        len(decided),
        len(passed),
    )
    assert float(report.totals.pass_rate) == _rate(len(passed), len(decided))
    by_group = Counter(a.group for a in inside)
    assert {r.code: r.counts.enrolled for r in report.by_group} == {
        g: by_group.get(g, 0) for g in ("G1", "G2", "G3")
    }
    for row in report.by_unit:
        child = Unit.objects.get(code=row.code, parent=root)
        mine = [a for a in decided if a.unit.path.startswith(child.path)]
        assert row.counts.assessed == len(mine)
        assert row.counts.passed == sum(1 for a in mine if a.passed)
    for ind in report.by_indicator:
        values = [Decimal(a.final_scores[ind.code]) for a in decided]
        total = sum(values, Decimal(0))
        expected = (total / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP) if values else 0
        assert ind.mean_final == expected
        assert ind.below_min == sum(1 for v in values if v < 5)
    sexes = Counter(a.citizen.sex for a in inside if a.citizen)
    assert {r.code: r.counts.enrolled for r in report.by_sex} == {
        "male": sexes.get("male", 0),
        "female": sexes.get("female", 0),
    }

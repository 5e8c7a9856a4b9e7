"""The demo's assessments: the decided pilot year and the year in progress after it."""

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment, Period, State
from hoctap.assessments.workflow import Action, transition_for
from hoctap.schemes.rules import evaluate

pytestmark = pytest.mark.django_db

# Spec §3.2, written out here rather than read from the scheme file.
CDHT_RULE: dict[str, Any] = {"type": "sum_min", "total_at_least": 80, "each_at_least": 5}
INDICATORS = [f"CS{n}" for n in range(1, 11)]


def _pilot() -> list[Assessment]:
    return list(Assessment.objects.filter(period__code="2020-2021"))


def _points(assessment: Assessment) -> dict[str, Decimal]:
    assert sorted(assessment.final_scores) == sorted(INDICATORS)
    return {code: Decimal(value) for code, value in assessment.final_scores.items()}


def test_only_the_two_pilot_school_years_exist() -> None:
    assert sorted(Period.objects.values_list("code", flat=True)) == ["2020-2021", "2021-2022"]


def test_all_370_of_the_pilot_year_are_decided_and_363_passed() -> None:
    pilot = _pilot()
    assert len(pilot) == 370
    assert {a.state for a in pilot} == {State.DECIDED}
    assert Counter(a.passed for a in pilot) == {True: 363, False: 7}
    assert Counter(a.result for a in pilot) == {"passed": 363, "not_passed": 7}


def test_the_pilot_year_has_122_farmers_12_traders_and_236_officials() -> None:
    assert Counter(a.group for a in _pilot()) == {"G1": 122, "G2": 12, "G3": 236}


def test_every_pilot_result_follows_from_its_scores_by_the_cdht_rule() -> None:
    for assessment in _pilot():
        points = _points(assessment)
        by_hand = sum(points.values()) >= 80 and min(points.values()) >= 5
        outcome = evaluate(CDHT_RULE, points)
        assert assessment.passed is by_hand is outcome.passed, assessment.pk
        assert assessment.final_total == sum(points.values()) == outcome.total


def test_the_seven_failures_include_one_by_the_total_and_one_by_an_indicator() -> None:
    failed = [_points(a) for a in _pilot() if not a.passed]
    assert len(failed) == 7
    by_total = [p for p in failed if sum(p.values()) < 80 and min(p.values()) >= 5]
    by_indicator = [p for p in failed if min(p.values()) < 5]
    assert by_total
    assert by_indicator
    assert len(by_total) + len(by_indicator) == 7


def test_every_pilot_decision_names_its_number_body_and_date() -> None:
    numbers = Counter(a.decision_number for a in _pilot())
    assert set(numbers) == {"25/QĐ-HKH", "12/QĐ-HKH", "09/QĐ-HKH"}
    assert sum(numbers.values()) == 370
    assert all(a.decision_body.startswith("Hội Khuyến học ") for a in _pilot())
    assert {str(a.decision_date) for a in _pilot()} == {"2021-05-28"}


def test_the_year_in_progress_has_assessments_in_every_state() -> None:
    states = Counter(
        Assessment.objects.filter(period__code="2021-2022").values_list("state", flat=True)
    )
    assert set(states) == set(State.values)


def test_each_assessment_in_progress_has_a_history_the_workflow_allows() -> None:
    in_progress = Assessment.objects.filter(period__code="2021-2022").select_related("unit")
    assert in_progress.exists()
    for assessment in in_progress:
        events = list(assessment.events.select_related("actor").order_by("pk"))
        first = events[0]
        assert (first.action, first.from_state, first.to_state) == (
            "register",
            "registered",
            "registered",
        )
        reached = State.REGISTERED
        for event in events[1:]:
            assert event.from_state == reached, (assessment.pk, event.action)
            if event.action.startswith("scores_"):
                assert event.to_state == reached
                continue
            step = transition_for(State(event.from_state), Action(event.action))
            assert step is not None, (assessment.pk, event.action)
            assert event.to_state == step.target
            assert event.actor is not None
            assert scope_for(event.actor).roles_at(assessment.unit.path) & step.roles
            assert bool(event.reason) or not step.needs_reason
            reached = State(event.to_state)
        assert assessment.state == reached

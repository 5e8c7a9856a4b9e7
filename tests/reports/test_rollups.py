"""The rollups reports read from stay equal to a fresh count through every kind of change."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment, Period
from hoctap.assessments.services import (
    DecisionInput,
    assessment_scores_set,
    assessment_transition,
)
from hoctap.core.errors import DomainError
from hoctap.reports.models import ReportCell
from hoctap.reports.rollups import rollups_differences

pytestmark = pytest.mark.django_db

ACTIONS = ["self_assess", "submit", "review", "decide", "return", "reopen"]
SCORES = st.fixed_dictionaries(
    {f"CS{i}": st.integers(min_value=0, max_value=10) for i in range(1, 11)}
)


def test_the_demo_rollups_equal_a_fresh_count() -> None:
    for code in ("2020-2021", "2021-2022"):
        assert rollups_differences(Period.objects.get(code=code)) == []


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(st.integers(min_value=0, max_value=5), st.sampled_from(ACTIONS), SCORES),
        min_size=1,
        max_size=12,
    )
)
def test_every_workflow_change_keeps_the_rollups_exact(
    steps: list[tuple[int, str, dict[str, int]]],
) -> None:
    officer = User.objects.get(username="quaicang")
    district = User.objects.get(username="tuangiao")
    period = Period.objects.get(code="2021-2022")
    pool = list(
        Assessment.objects.filter(period=period, unit__path__contains="/")
        .filter(unit__code__startswith="03289")
        .order_by("id")[:6]
    )
    for index, action, scores in steps:
        target = Assessment.objects.get(pk=pool[index % len(pool)].pk)
        actor = district if action in ("reopen",) else officer
        try:
            if target.state in ("registered", "returned"):
                target = assessment_scores_set(
                    user=officer,
                    assessment_id=target.pk,
                    layer="self",
                    scores=dict(scores),
                    version=target.version,
                )
            assessment_transition(
                user=actor,
                assessment_id=target.pk,
                action=action,
                version=target.version,
                reason="Lý do",
                decision=DecisionInput(number="3/QĐ", date=date(2022, 5, 1), body="Hội"),
            )
        except (DomainError, ValidationError):
            continue  # a refused step changes nothing, which the check below also proves
    assert rollups_differences(period) == []


def test_check_rollups_passes_on_exact_figures_and_fails_on_a_tampered_cell() -> None:
    out = io.StringIO()
    call_command("check-rollups", stdout=out)
    assert "0" in out.getvalue()
    cell = ReportCell.objects.filter(n__gt=0).first()
    assert cell is not None
    ReportCell.objects.filter(pk=cell.pk).update(n=cell.n + 1)
    with pytest.raises(CommandError):
        call_command("check-rollups", stdout=io.StringIO())
    call_command("check-rollups", "--rebuild", stdout=io.StringIO())
    call_command("check-rollups", stdout=io.StringIO())

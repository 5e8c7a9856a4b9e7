"""Recognition fixtures: decided assessments of Xã Quài Cang in the pilot period."""

import pytest

from hoctap.assessments.models import Assessment, State


def quai_cang(passed: bool) -> Assessment:
    """Return the first decided assessment of Xã Quài Cang with that outcome."""
    found = (
        Assessment.objects.filter(
            period__code="2020-2021",
            unit__code__startswith="03289",
            state=State.DECIDED,
            passed=passed,
        )
        .select_related("citizen", "unit", "period")
        .order_by("pk")
        .first()
    )
    assert found is not None
    return found


@pytest.fixture
def recognised(db: None) -> Assessment:
    """A passed, decided assessment of Xã Quài Cang."""
    return quai_cang(True)


@pytest.fixture
def not_passed(db: None) -> Assessment:
    """A decided assessment of Xã Quài Cang that did not pass (all 7 failures lie elsewhere)."""
    a = quai_cang(True)
    Assessment.objects.filter(pk=a.pk).update(passed=False, result="not_passed")
    a.refresh_from_db()
    return a

import random
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment, Period
from hoctap.learning.evidence import courses_for_indicator, indicator_minimum
from hoctap.learning.models import Attendance, Course, Session
from hoctap.learning.services import attendance_record
from hoctap.people.models import Citizen
from tests.conftest import client_for
from tests.learning.helpers import QUAI_CANG

pytestmark = pytest.mark.django_db

GOOD = {f"CS{n}": "8" for n in range(1, 11)}


def _assessment() -> Assessment:
    a = (
        Assessment.objects.filter(period__code="2021-2022", unit__code__startswith=QUAI_CANG)
        .select_related("citizen", "period")
        .order_by("pk")
        .first()
    )
    assert a is not None
    assert a.citizen is not None
    return a


def _it_course() -> Course:
    return Course.objects.get(centre__unit__code=QUAI_CANG, topic="it")


def _attend(user: User, a: Assessment, sessions: list[Session]) -> None:
    assert a.citizen is not None
    for s in sessions:
        attendance_record(user=user, session=s, citizen_ids=[a.citizen.pk])


def _score(a: Assessment, **low: str) -> None:
    scores = GOOD | low
    Assessment.objects.filter(pk=a.pk).update(
        self_scores=scores, reviewer_scores={}, final_scores={}
    )


def test_attendance_shows_as_evidence_with_its_indicators(commune_officer: User) -> None:
    a = _assessment()
    course = _it_course()
    sessions = list(course.sessions.order_by("date")[1:3])
    assert a.citizen is not None
    Attendance.objects.filter(citizen=a.citizen).delete()
    _attend(commune_officer, a, sessions)
    _score(a)
    body = client_for(commune_officer).get(reverse("assessments:detail", args=[a.pk])).content
    text = body.decode()
    assert "Các khóa học đã tham gia trong kỳ (minh chứng)" in text
    row = text[text.index(course.title) :]
    row = row[: row.index("</tr>")]
    assert "Tin học" in row
    assert f"{sessions[0].date:%d/%m/%Y} – {sessions[-1].date:%d/%m/%Y}" in row
    assert "<td>2</td>" in row
    assert "CS1, CS3, CS5" in row
    assert "Khóa học có thể giúp" not in text


def test_attendance_outside_the_period_is_not_evidence(commune_officer: User) -> None:
    a = _assessment()
    course = _it_course()
    assert a.citizen is not None
    Attendance.objects.filter(citizen=a.citizen).delete()
    outside = Session.objects.create(course=course, date=date(2022, 9, 5))
    _attend(commune_officer, a, [outside])
    text = client_for(commune_officer).get(reverse("assessments:detail", args=[a.pk])).content
    assert "Không tham gia khóa học nào" in text.decode()


def test_an_outsider_sees_no_attendance(commune_officer: User, outsider: User) -> None:
    a = _assessment()
    _attend(commune_officer, a, list(_it_course().sessions.all()[:1]))
    response = client_for(outsider).get(reverse("assessments:detail", args=[a.pk]))
    assert response.status_code == 404
    assert _it_course().title not in response.content.decode()


def test_courses_that_can_help_are_shown_for_a_low_indicator(commune_officer: User) -> None:
    a = _assessment()
    _score(a, CS5="3")
    text = client_for(commune_officer).get(reverse("assessments:detail", args=[a.pk])).content
    body = text.decode()
    assert "Khóa học có thể giúp" in body
    help_part = body[body.index("Khóa học có thể giúp") :]
    assert "Chưa đạt mức tối thiểu ở: CS5." in help_part
    assert _it_course().title in help_part
    husbandry = Course.objects.get(centre__unit__code=QUAI_CANG, topic="husbandry")
    assert husbandry.title not in help_part  # it supports CS1 and CS3 only


def test_the_minimum_comes_from_the_schemes_rule() -> None:
    a = _assessment()
    assert indicator_minimum(a.scheme.rule) == Decimal(5)
    nested = {"type": "all_of", "rules": [{"type": "bands"}, a.scheme.rule]}
    assert indicator_minimum(nested) == Decimal(5)
    assert indicator_minimum({"type": "levels", "levels": []}) is None


def _brute_force(citizen: Citizen, period: Period) -> list[int]:
    """Compute the suggestions the slow and obvious way."""
    earlier = [
        a
        for a in Assessment.objects.filter(citizen=citizen)
        if a.period.starts_on <= period.starts_on
    ]
    if not earlier:
        return []
    latest = max(earlier, key=lambda a: a.period.starts_on)
    scores: dict[str, Any] = latest.final_scores or latest.reviewer_scores or latest.self_scores
    minimum = Decimal(str(latest.scheme.rule["each_at_least"]))
    low = {code for code, v in scores.items() if Decimal(str(v)) < minimum}
    return sorted(
        c.pk
        for c in Course.objects.select_related("centre__unit")
        if citizen.home_unit.path.startswith(c.centre.unit.path)
        and c.ends_on >= period.starts_on
        and low & set(c.indicators)
    )


def test_course_suggestions_match_a_brute_force_check() -> None:
    rng = random.Random(9)
    assessments = list(
        Assessment.objects.filter(citizen__isnull=False).select_related("citizen", "period")
    )
    # Push some indicators of some people below the minimum, in every layer the demo uses.
    for a in rng.sample(assessments, 60):
        layer = next(
            (n for n in ("final", "reviewer", "self") if getattr(a, f"{n}_scores")), "self"
        )
        scores = dict(getattr(a, f"{layer}_scores")) or dict(GOOD)
        for code in rng.sample(sorted(GOOD), rng.randint(1, 3)):
            scores[code] = str(rng.randint(0, 6))
        Assessment.objects.filter(pk=a.pk).update(**{f"{layer}_scores": scores})
    periods = list(Period.objects.all())
    non_empty = 0
    for a in assessments:
        assert a.citizen is not None
        for period in periods:
            got = sorted(
                s.course.pk for s in courses_for_indicator(citizen=a.citizen, period=period)
            )
            assert got == _brute_force(a.citizen, period), (a.pk, period.code)
            non_empty += bool(got)
    assert non_empty > 10

import unicodedata
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from hoctap.accounts.models import User
from hoctap.core.errors import NotFound
from hoctap.learning.models import Attendance, Course, Topic
from hoctap.learning.services import (
    attendance_record,
    centre_create,
    course_create,
    session_add,
)
from tests.learning.helpers import QUAI_CANG, QUAI_NUA, centre_of, resident_of, session_of

pytestmark = pytest.mark.django_db


def _course(user: User, **extra: object) -> Course:
    fields: dict[str, object] = {
        "user": user,
        "centre": centre_of(QUAI_CANG),
        "title": "Trồng lúa nước",
        "topic": Topic.FARMING,
        "starts_on": date(2023, 3, 1),
        "ends_on": date(2023, 4, 1),
    }
    fields.update(extra)
    return course_create(**fields)  # type: ignore[arg-type]


def test_a_course_supports_cs1_and_cs3_unless_told_otherwise(commune_officer: User) -> None:
    assert _course(commune_officer).indicators == ["CS1", "CS3"]
    chosen = _course(commune_officer, indicators=["cs5", " CS1", "CS5"])
    chosen.refresh_from_db()
    assert chosen.indicators == ["CS5", "CS1"]


def test_a_course_with_a_bad_indicator_code_is_refused(commune_officer: User) -> None:
    with pytest.raises(ValidationError, match="CS 1"):
        _course(commune_officer, indicators=["CS 1"])


def test_names_are_stored_composed(commune_officer: User) -> None:
    decomposed = unicodedata.normalize("NFD", "Chăn nuôi  gà thả vườn")
    course = _course(
        commune_officer, title=decomposed, teacher=unicodedata.normalize("NFD", "Lò Văn Ơn")
    )
    course.refresh_from_db()
    assert course.title == "Chăn nuôi gà thả vườn"
    assert course.teacher == unicodedata.normalize("NFC", "Lò Văn Ơn")


def test_a_course_cannot_end_before_it_starts(commune_officer: User) -> None:
    with pytest.raises(ValidationError):
        _course(commune_officer, starts_on=date(2023, 5, 1), ends_on=date(2023, 4, 1))


def test_an_outsider_cannot_add_a_course_to_another_communes_centre(outsider: User) -> None:
    before = Course.objects.count()
    with pytest.raises(NotFound):
        _course(outsider)
    assert Course.objects.count() == before


def test_a_commune_has_only_one_centre(commune_officer: User) -> None:
    with pytest.raises(ValidationError):
        centre_create(user=commune_officer, unit=centre_of(QUAI_CANG).unit, name="Thứ hai")


def test_a_centre_belongs_to_a_commune_not_a_branch(commune_officer: User) -> None:
    branch = centre_of(QUAI_CANG).unit.children.filter(kind="branch").first()
    assert branch is not None
    with pytest.raises(ValidationError):
        centre_create(user=commune_officer, unit=branch, name="Chi hội")


def test_a_session_must_fall_within_the_course(commune_officer: User) -> None:
    course = _course(commune_officer)
    assert session_add(user=commune_officer, course=course, on=date(2023, 3, 15)).pk
    with pytest.raises(ValidationError):
        session_add(user=commune_officer, course=course, on=date(2023, 6, 1))


def test_attendance_is_recorded_once_per_person(commune_officer: User) -> None:
    session = session_of(QUAI_CANG)
    person = resident_of(QUAI_CANG)
    Attendance.objects.filter(session=session, citizen=person).delete()
    assert attendance_record(user=commune_officer, session=session, citizen_ids=[person.pk]) == 1
    assert attendance_record(user=commune_officer, session=session, citizen_ids=[person.pk]) == 0
    row = Attendance.objects.get(session=session, citizen=person)
    assert row.recorded_by == commune_officer


def test_attendance_refuses_people_of_another_commune_and_writes_nothing(
    commune_officer: User,
) -> None:
    session = session_of(QUAI_CANG)
    ours, theirs = resident_of(QUAI_CANG), resident_of(QUAI_NUA)
    Attendance.objects.filter(session=session, citizen=ours).delete()
    before = Attendance.objects.count()
    with pytest.raises(ValidationError):
        attendance_record(user=commune_officer, session=session, citizen_ids=[ours.pk, theirs.pk])
    assert Attendance.objects.count() == before


def test_an_outsider_cannot_record_attendance(outsider: User) -> None:
    session = session_of(QUAI_CANG)
    with pytest.raises(NotFound):
        attendance_record(user=outsider, session=session, citizen_ids=[resident_of(QUAI_CANG).pk])


def test_a_branch_officer_cannot_record_for_the_whole_commune(branch_officer: User) -> None:
    with pytest.raises(NotFound):
        attendance_record(
            user=branch_officer,
            session=session_of(QUAI_CANG),
            citizen_ids=[resident_of(QUAI_CANG).pk],
        )


def test_the_demo_gives_each_pilot_commune_a_centre_with_attended_courses() -> None:
    for code in ("03253", QUAI_CANG, QUAI_NUA):
        centre = centre_of(code)
        courses = list(centre.courses.all())
        assert 2 <= len(courses) <= 3
        assert all(c.sessions.exists() for c in courses)
        assert Attendance.objects.filter(session__course__centre=centre).exists()
        assert all(date(2021, 9, 1) <= c.starts_on <= date(2022, 8, 31) for c in courses)

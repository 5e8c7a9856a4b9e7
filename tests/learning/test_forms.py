"""The pages that set up a centre and plan its courses and sessions, for each persona."""

import unicodedata
from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hoctap.accounts.models import Role, RoleAssignment, User
from hoctap.core.errors import Forbidden
from hoctap.learning.models import Centre, Course, Session
from hoctap.learning.services import attendance_record, centre_create, course_update, session_update
from hoctap.organisation.models import Unit, UnitKind
from hoctap.organisation.services import unit_create
from tests.conftest import client_for
from tests.learning.helpers import QUAI_CANG, centre_of, course_of, resident_of, session_of

pytestmark = pytest.mark.django_db

PAGES: dict[str, Callable[[], str]] = {
    "centre_edit": lambda: reverse("learning:centre_edit", args=[centre_of(QUAI_CANG).pk]),
    "course_new": lambda: reverse("learning:course_new", args=[centre_of(QUAI_CANG).pk]),
    "course_edit": lambda: reverse("learning:course_edit", args=[course_of(QUAI_CANG).pk]),
    "session_new": lambda: reverse("learning:session_new", args=[course_of(QUAI_CANG).pk]),
}
ALL_PAGES: dict[str, Callable[[], str]] = {
    **PAGES,
    "centre_new": lambda: reverse("learning:centre_new"),
}


def _course_data(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Tin học cơ bản",
        "topic": "it",
        "starts_on": "01/03/2023",
        "ends_on": "30/04/2023",
        "teacher": "Lò Thị Hoa",
        "indicators": ["CS1", "CS5"],
    }
    data.update(extra)
    return data


# What each page is sent when the right person fills it in correctly.
VALID: dict[str, Callable[[], dict[str, object]]] = {
    "centre_edit": lambda: {"name": "TTHTCĐ xã Quài Cang (mới)", "decision_number": "12/QĐ"},
    "course_new": _course_data,
    "course_edit": lambda: _course_data(
        starts_on=f"{course_of(QUAI_CANG).starts_on:%d/%m/%Y}",
        ends_on=f"{course_of(QUAI_CANG).ends_on:%d/%m/%Y}",
    ),
    "session_new": lambda: {"date": f"{course_of(QUAI_CANG).ends_on:%d/%m/%Y}", "topic": "Ôn"},
}


def _snapshot() -> tuple[object, ...]:
    """Return what the pages may change, to tell that a refused request wrote nothing."""
    return (
        list(Centre.objects.values_list("pk", "name", "decision_number", "decision_date")),
        list(Course.objects.values_list("pk", "title", "starts_on", "ends_on", "indicators")),
        list(Session.objects.values_list("pk", "date", "topic")),
    )


@pytest.fixture
def reader(db: None) -> User:
    """A user whose role covers the whole of Quài Cang but does not run its centre."""
    user = User.objects.create_user(username="reader.quaicang", password="x-unused-x")
    RoleAssignment.objects.create(
        user=user,
        role=Role.BRANCH_OFFICER,
        unit=centre_of(QUAI_CANG).unit,
        valid_from=date(2020, 1, 1),
    )
    return user


@pytest.fixture
def new_commune(db: None) -> Unit:
    """A commune of Tuần Giáo without a learning centre yet."""
    district = centre_of(QUAI_CANG).unit.parent
    assert district is not None
    return unit_create(
        kind=UnitKind.COMMUNE,
        code="03299",
        name="Xã Mường Thín",
        parent=district,
        valid_from=date(2020, 1, 1),
    )


@pytest.mark.parametrize("page", sorted(ALL_PAGES))
def test_the_communes_officer_sees_the_form_in_vietnamese(page: str, commune_officer: User) -> None:
    response = client_for(commune_officer).get(ALL_PAGES[page]())
    body = response.content.decode()
    assert response.status_code == 200
    assert 'method="post"' in body
    assert "Hủy" in body


def test_the_course_form_offers_the_schemes_indicators_as_boxes(commune_officer: User) -> None:
    body = client_for(commune_officer).get(PAGES["course_new"]()).content.decode()
    assert "Ngày bắt đầu" in body
    assert body.count('type="checkbox" name="indicators"') == 10
    assert 'value="CS10"' in body
    assert 'value="CS1" id="id_indicators_0" checked' in body


def test_the_edit_form_shows_the_dates_as_day_month_year(commune_officer: User) -> None:
    course = course_of(QUAI_CANG)
    body = client_for(commune_officer).get(PAGES["course_edit"]()).content.decode()
    assert f'value="{course.starts_on:%d/%m/%Y}"' in body


@pytest.mark.parametrize("page", sorted(PAGES))
def test_an_officer_of_another_commune_is_told_it_does_not_exist(page: str, outsider: User) -> None:
    before = _snapshot()
    client = client_for(outsider)
    assert client.get(PAGES[page]()).status_code == 404
    assert client.post(PAGES[page](), VALID[page]()).status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("page", sorted(ALL_PAGES))
def test_a_user_who_does_not_run_the_centre_is_refused(page: str, reader: User) -> None:
    before = _snapshot()
    client = client_for(reader)
    assert client.get(ALL_PAGES[page]()).status_code == 403
    assert client.post(ALL_PAGES[page](), VALID.get(page, dict)()).status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("page", sorted(ALL_PAGES))
def test_a_form_refuses_a_wrong_method(page: str, commune_officer: User) -> None:
    assert client_for(commune_officer).put(ALL_PAGES[page]()).status_code == 405


@pytest.mark.parametrize("page", sorted(ALL_PAGES))
def test_anonymous_visitors_are_sent_to_log_in(page: str) -> None:
    response = Client().post(ALL_PAGES[page](), VALID.get(page, dict)())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("page", "data", "message"),
    [
        ("centre_edit", {"name": "   "}, "Hãy nhập tên trung tâm."),
        ("course_new", _course_data(ends_on="01/02/2023"), "không thể kết thúc trước khi bắt đầu"),
        ("course_new", _course_data(starts_on="2023/03/01"), "Nhập ngày theo dạng dd/mm/yyyy"),
        ("course_new", _course_data(indicators=[]), "Hãy đánh dấu ít nhất một chỉ số"),
        (
            "course_new",
            _course_data(indicators=["CS99"]),
            "Hãy đánh dấu các chỉ số trong danh sách",
        ),
        ("course_new", _course_data(topic="cooking"), "Hãy chọn một chủ đề trong danh sách."),
        ("course_new", _course_data(title=" "), "Hãy nhập tên khóa học."),
        ("course_edit", _course_data(starts_on="01/01/2030", ends_on="02/01/2030"), "nằm ngoài"),
        ("session_new", {"date": "01/01/2000"}, "phải nằm trong thời gian của khóa học"),
        ("session_new", {"date": "31/02/2023"}, "Nhập ngày theo dạng dd/mm/yyyy"),
        ("session_new", {"topic": "Ôn"}, "Nhập ngày theo dạng dd/mm/yyyy"),
    ],
)
def test_bad_input_is_explained_in_vietnamese_and_writes_nothing(
    page: str, data: dict[str, object], message: str, commune_officer: User
) -> None:
    before = _snapshot()
    response = client_for(commune_officer).post(PAGES[page](), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_officer_saves_and_is_told_so(page: str, commune_officer: User) -> None:
    client = client_for(commune_officer)
    response = client.post(PAGES[page](), VALID[page]())
    assert response.status_code == 302
    page_after = client.get(response["Location"]).content.decode()
    assert 'class="message success"' in page_after


def test_a_new_course_is_stored_as_typed(commune_officer: User) -> None:
    decomposed = unicodedata.normalize("NFD", "Tin  học cơ bản")
    response = client_for(commune_officer).post(
        PAGES["course_new"](), _course_data(title=decomposed)
    )
    course = Course.objects.latest("pk")
    assert response["Location"] == reverse("learning:course", args=[course.pk])
    assert course.centre == centre_of(QUAI_CANG)
    assert course.title == "Tin học cơ bản"
    assert (course.starts_on, course.ends_on) == (date(2023, 3, 1), date(2023, 4, 30))
    assert course.indicators == ["CS1", "CS5"]


def test_an_edited_course_keeps_its_sessions(commune_officer: User) -> None:
    course = course_of(QUAI_CANG)
    sessions = course.sessions.count()
    client_for(commune_officer).post(
        PAGES["course_edit"](), {**VALID["course_edit"](), "indicators": ["CS6"]}
    )
    course.refresh_from_db()
    assert course.title == "Tin học cơ bản"
    assert course.indicators == ["CS6"]
    assert course.sessions.count() == sessions


def test_a_new_session_appears_on_the_course_page(commune_officer: User) -> None:
    course = course_of(QUAI_CANG)
    client = client_for(commune_officer)
    response = client.post(PAGES["session_new"](), VALID["session_new"]())
    assert response["Location"] == reverse("learning:course", args=[course.pk])
    assert course.sessions.filter(date=course.ends_on, topic="Ôn").exists()
    assert "Đã thêm buổi học." in client.get(response["Location"]).content.decode()


def test_the_centre_edit_changes_the_name_not_the_commune(commune_officer: User) -> None:
    centre = centre_of(QUAI_CANG)
    client_for(commune_officer).post(
        PAGES["centre_edit"](),
        {**VALID["centre_edit"](), "decision_date": "15/08/2019", "unit": "1"},
    )
    centre.refresh_from_db()
    assert centre.name == "TTHTCĐ xã Quài Cang (mới)"
    assert centre.decision_date == date(2019, 8, 15)
    assert centre.unit.code == QUAI_CANG


def test_the_district_officer_sets_up_a_centre_for_a_commune_without_one(
    district_officer: User, new_commune: Unit
) -> None:
    client = client_for(district_officer)
    form = client.get(reverse("learning:centre_new")).content.decode()
    assert f'value="{new_commune.pk}"' in form
    assert f'value="{centre_of(QUAI_CANG).unit.pk}"' not in form
    response = client.post(
        reverse("learning:centre_new"),
        {"unit": new_commune.pk, "name": "TTHTCĐ xã Mường Thín", "decision_date": "01/09/2024"},
    )
    centre = Centre.objects.get(unit=new_commune)
    assert response["Location"] == reverse("learning:centre", args=[centre.pk])
    assert centre.decision_date == date(2024, 9, 1)
    assert (
        "Đã thành lập trung tâm học tập cộng đồng."
        in client.get(response["Location"]).content.decode()
    )


def test_an_officer_cannot_set_up_a_centre_outside_their_commune(
    outsider: User, new_commune: Unit
) -> None:
    client = client_for(outsider)
    assert f'value="{new_commune.pk}"' not in client.get(ALL_PAGES["centre_new"]()).content.decode()
    response = client.post(ALL_PAGES["centre_new"](), {"unit": new_commune.pk, "name": "Lạ"})
    assert response.status_code == 400
    assert "Hãy chọn một xã trong danh sách." in response.content.decode()
    assert not Centre.objects.filter(unit=new_commune).exists()


def test_a_user_without_any_role_is_told_there_is_nothing(nobody: User) -> None:
    assert client_for(nobody).get(ALL_PAGES["centre_new"]()).status_code == 404


def test_a_second_centre_for_a_commune_is_refused_in_words(
    district_officer: User, new_commune: Unit
) -> None:
    centre_create(user=district_officer, unit=new_commune, name="Thứ nhất")
    with pytest.raises(ValidationError, match="đã có trung tâm học tập cộng đồng"):
        centre_create(user=district_officer, unit=new_commune, name="Thứ hai")
    assert Centre.objects.filter(unit=new_commune).count() == 1


def test_only_those_who_run_the_centre_see_the_buttons(commune_officer: User, reader: User) -> None:
    centre_url = reverse("learning:centre", args=[centre_of(QUAI_CANG).pk])
    course_url = reverse("learning:course", args=[course_of(QUAI_CANG).pk])
    officer, other = client_for(commune_officer), client_for(reader)
    assert PAGES["course_new"]() in officer.get(centre_url).content.decode()
    assert PAGES["centre_edit"]() in officer.get(centre_url).content.decode()
    assert PAGES["session_new"]() in officer.get(course_url).content.decode()
    assert ALL_PAGES["centre_new"]() in officer.get(reverse("learning:centres")).content.decode()
    assert other.get(centre_url).status_code == 200
    assert PAGES["course_new"]() not in other.get(centre_url).content.decode()
    assert PAGES["session_new"]() not in other.get(course_url).content.decode()
    assert ALL_PAGES["centre_new"]() not in other.get(reverse("learning:centres")).content.decode()


def test_a_user_who_does_not_run_the_centre_cannot_record_attendance(reader: User) -> None:
    session = session_of(QUAI_CANG)
    person = resident_of(QUAI_CANG)
    session.attendances.filter(citizen=person).delete()
    with pytest.raises(Forbidden):
        attendance_record(user=reader, session=session, citizen_ids=[person.pk])
    sheet = reverse("learning:sheet", args=[session.pk])
    assert client_for(reader).post(sheet, {"citizen": [str(person.pk)]}).status_code == 403
    assert not session.attendances.filter(citizen=person).exists()


def test_a_session_moves_only_within_its_course(commune_officer: User) -> None:
    session = session_of(QUAI_CANG)
    course = session.course
    moved = session_update(user=commune_officer, session=session, on=course.ends_on, topic=" Ôn ")
    assert (moved.date, moved.topic) == (course.ends_on, "Ôn")
    with pytest.raises(ValidationError):
        session_update(user=commune_officer, session=session, on=date(2000, 1, 1))


def test_a_course_cannot_be_shortened_past_its_sessions(commune_officer: User) -> None:
    course = course_of(QUAI_CANG)
    with pytest.raises(ValidationError):
        course_update(
            user=commune_officer,
            course=course,
            title=course.title,
            topic=course.topic,  # type: ignore[arg-type]
            starts_on=course.starts_on,
            ends_on=course.starts_on,
            indicators=course.indicators,
        )

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from hoctap.accounts.models import User
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.learning.models import Attendance
from tests.conftest import client_for
from tests.learning.helpers import (
    QUAI_CANG,
    QUAI_NUA,
    centre_of,
    course_of,
    resident_of,
    session_of,
)

pytestmark = pytest.mark.django_db

PAGES: dict[str, Callable[[], str]] = {
    "centre": lambda: reverse("learning:centre", args=[centre_of(QUAI_CANG).pk]),
    "course": lambda: reverse("learning:course", args=[course_of(QUAI_CANG).pk]),
    "sheet": lambda: reverse("learning:sheet", args=[session_of(QUAI_CANG).pk]),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_communes_officer_opens_the_page(page: str, commune_officer: User) -> None:
    response = client_for(commune_officer).get(PAGES[page]())
    assert response.status_code == 200
    assert "Quài Cang" in response.content.decode()


@pytest.mark.parametrize("page", sorted(PAGES))
def test_an_officer_of_another_commune_is_told_it_does_not_exist(page: str, outsider: User) -> None:
    assert client_for(outsider).get(PAGES[page]()).status_code == 404


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_district_officer_sees_the_communes_pages(page: str, district_officer: User) -> None:
    assert client_for(district_officer).get(PAGES[page]()).status_code == 200


@pytest.mark.parametrize("page", ["centre", "course"])
def test_a_read_only_page_refuses_a_post(page: str, commune_officer: User) -> None:
    assert client_for(commune_officer).post(PAGES[page]()).status_code == 405


def test_the_sheet_refuses_a_put(commune_officer: User) -> None:
    assert client_for(commune_officer).put(PAGES["sheet"]()).status_code == 405


def test_the_list_refuses_a_post(commune_officer: User) -> None:
    assert client_for(commune_officer).post(reverse("learning:centres")).status_code == 405


def test_the_list_shows_only_the_centres_in_the_officers_area(
    commune_officer: User, district_officer: User
) -> None:
    ours = client_for(commune_officer).get(reverse("learning:centres")).content.decode()
    assert centre_of(QUAI_CANG).name in ours
    assert centre_of(QUAI_NUA).name not in ours
    district = client_for(district_officer).get(reverse("learning:centres")).content.decode()
    assert centre_of(QUAI_CANG).name in district
    assert centre_of(QUAI_NUA).name in district


def test_the_course_page_lists_sessions_with_how_many_came(commune_officer: User) -> None:
    course = course_of(QUAI_CANG)
    body = client_for(commune_officer).get(PAGES["course"]()).content.decode()
    for session in course.sessions.all():
        assert f"{session.date:%d/%m/%Y}" in body
        present = session.attendances.count()
        assert f"{present} người có mặt" in body


def test_the_sheet_records_the_ticked_people(commune_officer: User) -> None:
    session = session_of(QUAI_CANG)
    person = resident_of(QUAI_CANG)
    Attendance.objects.filter(session=session, citizen=person).delete()
    client = client_for(commune_officer)
    response = client.post(PAGES["sheet"](), {"citizen": [str(person.pk)]})
    assert response.status_code == 302
    assert Attendance.objects.filter(session=session, citizen=person).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Đã ghi nhận 1 người có mặt." in page
    assert f'value="{person.pk}" checked disabled' in page


def test_the_sheet_explains_a_person_of_another_commune_in_vietnamese(
    commune_officer: User,
) -> None:
    before = Attendance.objects.count()
    response = client_for(commune_officer).post(
        PAGES["sheet"](), {"citizen": [str(resident_of(QUAI_NUA).pk)]}
    )
    assert response.status_code == 400
    assert "Có người được chọn không cư trú tại xã này." in response.content.decode()
    assert Attendance.objects.count() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Hãy đánh dấu ít nhất một người có mặt."),
        ({"citizen": ["abc"]}, "Danh sách gửi lên không hợp lệ"),
    ],
)
def test_the_sheet_explains_bad_input(
    data: dict[str, list[str]], message: str, commune_officer: User
) -> None:
    response = client_for(commune_officer).post(PAGES["sheet"](), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_outsider_cannot_post_to_the_sheet(outsider: User) -> None:
    person = resident_of(QUAI_NUA)
    response = client_for(outsider).post(PAGES["sheet"](), {"citizen": [str(person.pk)]})
    assert response.status_code == 404
    assert not Attendance.objects.filter(session=session_of(QUAI_CANG), citizen=person).exists()


def test_the_sheet_searches_without_accents_and_answers_htmx_with_the_list(
    commune_officer: User,
) -> None:
    person = resident_of(QUAI_CANG)
    word = person.search_name.split()[-1]
    response = client_for(commune_officer).get(
        PAGES["sheet"](), {"q": word}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<fieldset id="people"')
    assert person.full_name in body
    assert resident_of(QUAI_NUA).full_name not in body


def test_the_sheet_is_recorded_in_the_access_log(commune_officer: User) -> None:
    client_for(commune_officer).get(PAGES["sheet"]())
    entry = AccessLogEntry.objects.filter(user=commune_officer).latest("seq")
    assert entry.object_type == "attendance_sheet"
    assert entry.action == AccessAction.VIEW
    assert resident_of(QUAI_CANG).pk in entry.detail["shown"]


def test_the_sheet_is_usable_on_a_phone(commune_officer: User) -> None:
    body = client_for(commune_officer).get(PAGES["sheet"]()).content.decode()
    assert 'type="search"' in body
    assert "learning/learning" in body  # the stylesheet with large touch targets
    assert "<script>" not in body
    assert "style=" not in body


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(reverse("learning:centres"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

from datetime import date
from typing import Any

import pytest
from django.test import Client

from hoctap.accounts.models import Role, RoleAssignment, User
from hoctap.assessments.models import Assessment, PeriodClosure, State
from hoctap.organisation.models import Unit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

OPEN = (State.REGISTERED, State.SELF_ASSESSED, State.SUBMITTED, State.RETURNED)
URL = "/periods/2021-2022/"
CLOSE = "/periods/2021-2022/close"


def _review_everything_in(commune_code: str) -> None:
    Assessment.objects.filter(
        period__code="2021-2022", unit__code__startswith=commune_code, state__in=OPEN
    ).update(state=State.BRANCH_REVIEWED)


def test_the_list_shows_the_periods(commune_officer: User) -> None:
    body = client_for(commune_officer).get("/periods/").content.decode()
    assert 'href="/periods/2021-2022/"' in body
    assert 'href="/periods/2020-2021/"' in body


def test_a_commune_officer_sees_the_open_count_and_may_close(commune_officer: User) -> None:
    body = client_for(commune_officer).get(URL).content.decode()
    assert "Xã Quài Cang" in body
    # 4 each registered, self-assessed, submitted and returned.
    assert "16 phiếu chưa xong" in body
    assert "Chưa khóa sổ" in body
    assert 'value="03289"' in body
    assert "Xã Quài Nưa" not in body


def test_a_district_officer_sees_every_commune_in_few_queries(
    district_officer: User, django_assert_max_num_queries: Any
) -> None:
    client = client_for(district_officer)
    with django_assert_max_num_queries(12):
        body = client.get(URL).content.decode()
    for name in ("Thị trấn Tuần Giáo", "Xã Quài Cang", "Xã Quài Nưa"):
        assert name in body
    assert body.count("16 phiếu chưa xong") == 3


def test_a_branch_officer_is_offered_no_closing(branch_officer: User) -> None:
    body = client_for(branch_officer).get(URL).content.decode()
    assert "Khóa sổ kỳ</button>" not in body


def test_closing_with_open_assessments_is_refused_with_the_count(commune_officer: User) -> None:
    response = client_for(commune_officer).post(CLOSE, {"unit": "03289"}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "Còn 16 phiếu chưa được xét duyệt nên chưa thể khóa sổ kỳ đánh giá." in (
        response.content.decode()
    )
    assert not PeriodClosure.objects.filter(period__code="2021-2022").exists()


def test_closing_once_everything_is_reviewed_records_who_closed(commune_officer: User) -> None:
    _review_everything_in("03289")
    response = client_for(commune_officer).post(CLOSE, {"unit": "03289"}, follow=True)
    body = response.content.decode()
    closure = PeriodClosure.objects.get(period__code="2021-2022", unit__code="03289")
    assert closure.closed_by == commune_officer
    assert "Đã khóa sổ kỳ 2021-2022 cho Xã Quài Cang." in body
    assert f"Đã khóa sổ bởi {commune_officer.get_full_name()}" in body
    assert "0 phiếu chưa xong" in body


def test_another_commune_cannot_be_closed_or_seen(outsider: User) -> None:
    _review_everything_in("03289")
    client = client_for(outsider)
    assert client.post(CLOSE, {"unit": "03289"}).status_code == 404
    assert not PeriodClosure.objects.filter(unit__code="03289").exists()
    assert "Xã Quài Cang" not in client.get(URL).content.decode()


def test_an_unknown_period_or_commune_is_not_found(commune_officer: User) -> None:
    client = client_for(commune_officer)
    assert client.get("/periods/1999/").status_code == 404
    assert client.post("/periods/1999/close", {"unit": "03289"}).status_code == 404
    assert client.post(CLOSE, {"unit": "99999"}).status_code == 404


def test_a_branch_officer_is_refused_by_the_service(branch_officer: User) -> None:
    _review_everything_in("03289")
    response = client_for(branch_officer).post(CLOSE, {"unit": "03289"}, follow=True)
    # The branch officer's area does not cover the commune: it is not there for them.
    assert response.status_code == 404
    assert not PeriodClosure.objects.exists()


def test_a_role_that_may_not_close_is_told_so(nobody: User) -> None:
    _review_everything_in("03289")
    RoleAssignment.objects.create(
        user=nobody,
        role=Role.BRANCH_OFFICER,
        unit=Unit.objects.get(code="03289"),
        valid_from=date(2020, 1, 1),
    )
    client = client_for(nobody)
    assert "Khóa sổ kỳ</button>" not in client.get(URL).content.decode()
    response = client.post(CLOSE, {"unit": "03289"}, follow=True)
    assert "Chỉ Hội Khuyến học xã mới được khóa sổ kỳ đánh giá của xã." in (
        response.content.decode()
    )
    assert not PeriodClosure.objects.exists()


@pytest.mark.parametrize(("method", "url"), [("post", "/periods/"), ("post", URL), ("get", CLOSE)])
def test_the_period_pages_refuse_a_wrong_method(
    commune_officer: User, method: str, url: str
) -> None:
    assert getattr(client_for(commune_officer), method)(url).status_code == 405


@pytest.mark.parametrize("url", ["/periods/", URL])
def test_the_period_pages_send_a_visitor_to_sign_in(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_closing_sends_a_visitor_to_sign_in() -> None:
    response = Client().post(CLOSE, {"unit": "03289"})
    assert response.status_code == 302
    assert not PeriodClosure.objects.exists()

"""The candidates page: what the commune officer sees, and what others do not."""

import pytest

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/schemes/candidates/2020-2021/03289/"


def test_the_commune_officer_sees_the_candidates_marked_provisional(
    commune_officer: User, django_assert_max_num_queries: pytest.FixtureRequest
) -> None:
    before = Assessment.objects.count()
    client = client_for(commune_officer)
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="vi")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gia đình học tập" in page
    assert "Đơn vị học tập (mức độ 1)" in page
    assert '<strong class="provisional">tạm thời</strong>' in page
    assert "ít nhất 90 % thành viên" in page
    assert "ít nhất 100 % thành viên" in page
    assert "HG01" in page
    # A family's rollup counts its adults, a unit's its members.
    assert "Người lớn được công nhận" in page
    assert "Thành viên được công nhận" in page
    assert "Ủy ban nhân dân xã Quài Cang" in page
    # Units of the next commune are not listed under Quài Cang.
    assert "Quài Nưa" not in page
    assert Assessment.objects.count() == before


def test_an_outsider_is_told_nothing_exists(outsider: User) -> None:
    assert client_for(outsider).get(URL).status_code == 404


def test_an_unknown_period_or_unit_is_not_found(commune_officer: User) -> None:
    client = client_for(commune_officer)
    assert client.get("/schemes/candidates/1999-2000/03289/").status_code == 404
    assert client.get("/schemes/candidates/2020-2021/99999/").status_code == 404


def test_the_page_is_read_only(commune_officer: User) -> None:
    assert client_for(commune_officer).post(URL).status_code == 405

from datetime import date
from typing import Any

import pytest
from django.test import Client

from hoctap.accounts.models import User
from hoctap.organisation.admin_divisions import load_units
from hoctap.organisation.models import SuccessionKind, Unit
from hoctap.organisation.services import unit_succession_record
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

IN_2021 = {"on": "01/06/2021"}


def test_the_list_shows_the_officers_commune_with_its_progress(commune_officer: User) -> None:
    body = client_for(commune_officer).get("/units/", IN_2021).content.decode()
    assert "/units/03289/?on=01/06/2021" in body
    assert "Xã Quài Cang" in body
    # 2021-2022, the latest period: 24 people enrolled in the commune, 4 of them decided.
    assert "24 đăng ký, 4 đã công nhận" in body
    assert "Xã Quài Nưa" not in body


def test_the_list_follows_the_date(commune_officer: User) -> None:
    body = client_for(commune_officer).get("/units/", {"on": "01/06/2026"}).content.decode()
    assert "Không có đơn vị nào của bạn có hiệu lực vào ngày này." in body
    assert "Xã Quài Cang" not in body


def test_without_a_date_the_tree_is_the_one_the_latest_period_counted(
    commune_officer: User,
) -> None:
    # Today the demo's communes are merged away; the latest period (2021-2022) still had them.
    body = client_for(commune_officer).get("/units/").content.decode()
    assert "Xã Quài Cang" in body
    assert "/units/03289/?on=31/08/2022" in body


def test_a_district_officer_sees_the_district_on_top(district_officer: User) -> None:
    body = client_for(district_officer).get("/units/", IN_2021).content.decode()
    assert "/units/099/?on=01/06/2021" in body
    assert "/units/03289/" not in body


def test_a_user_without_a_role_sees_no_unit(nobody: User) -> None:
    body = client_for(nobody).get("/units/", IN_2021).content.decode()
    assert "Không có đơn vị nào của bạn có hiệu lực vào ngày này." in body


def test_a_unit_shows_its_facts_and_children_with_their_progress(commune_officer: User) -> None:
    response = client_for(commune_officer).get("/units/03289/", IN_2021)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Xã Quài Cang</h1>" in body
    assert "30/06/2025" in body
    assert "/units/03289-CH1/?on=01/06/2021" in body
    assert "/units/03289-CQ1/?on=01/06/2021" in body
    assert "/units/03274" not in body


def test_a_district_shows_its_communes_as_of_the_date(
    district_officer: User, django_assert_max_num_queries: Any
) -> None:
    client = client_for(district_officer)
    with django_assert_max_num_queries(12):
        body = client.get("/units/099/", IN_2021).content.decode()
    for name in ("Thị trấn Tuần Giáo", "Xã Quài Cang", "Xã Quài Nưa"):
        assert name in body
    # The district's own figure covers its three communes: 3 × 24 enrolled, 3 × 4 decided.
    assert "72 đăng ký, 12 đã công nhận" in body


def test_03253_names_the_town_in_2021_and_the_new_commune_in_2026(province_officer: User) -> None:
    load_units(today=date(2026, 11, 28), province="11")
    client = client_for(province_officer)
    in_2021 = client.get("/units/03253/", IN_2021).content.decode()
    in_2026 = client.get("/units/03253/", {"on": "01/06/2026"}).content.decode()
    assert "<h1>Thị trấn Tuần Giáo</h1>" in in_2021
    assert "<h1>Xã Tuần Giáo</h1>" in in_2026
    assert "Thị trấn Tuần Giáo" not in in_2026


def test_a_succession_links_the_former_and_the_new_unit(province_officer: User) -> None:
    load_units(today=date(2026, 11, 28), province="11")
    town = Unit.objects.get(code="03253", valid_to__isnull=False)
    commune = Unit.objects.get(code="03253", valid_to__isnull=True)
    unit_succession_record(
        predecessor=town,
        successor=commune,
        kind=SuccessionKind.RENAME,
        effective_date=date(2025, 7, 1),
    )
    body = client_for(province_officer).get("/units/03253/", {"on": "01/06/2026"}).content.decode()
    assert "Hình thành từ" in body
    assert "/units/03253/?on=30/06/2025" in body


def test_another_communes_unit_is_not_found(outsider: User) -> None:
    client = client_for(outsider)
    assert client.get("/units/03289/", IN_2021).status_code == 404
    assert client.get("/units/03289-CH1/", IN_2021).status_code == 404
    assert client.get("/units/03274/", IN_2021).status_code == 200


def test_a_code_nobody_carries_that_day_is_not_found(province_officer: User) -> None:
    client = client_for(province_officer)
    assert client.get("/units/03289/", {"on": "01/06/2026"}).status_code == 404
    assert client.get("/units/99999/", IN_2021).status_code == 404


@pytest.mark.parametrize("url", ["/units/", "/units/03289/"])
def test_an_unreadable_date_is_explained_in_vietnamese(commune_officer: User, url: str) -> None:
    response = client_for(commune_officer).get(url, {"on": "31/02/2021"})
    assert response.status_code == 400
    assert "Nhập ngày theo dạng dd/mm/yyyy" in response.content.decode()


@pytest.mark.parametrize("url", ["/units/", "/units/03289/"])
def test_the_unit_pages_refuse_a_post(commune_officer: User, url: str) -> None:
    assert client_for(commune_officer).post(url).status_code == 405


@pytest.mark.parametrize("url", ["/units/", "/units/03289/"])
def test_the_unit_pages_send_a_visitor_to_sign_in(url: str) -> None:
    response = Client().get(url, IN_2021)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

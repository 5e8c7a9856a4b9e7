from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hoctap.accounts.models import User
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.core.text import fold
from hoctap.people.models import Citizen
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _body(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def _quai_cang_citizen() -> Citizen:
    citizen = (
        Citizen.objects.filter(home_unit__parent__code="03289").exclude(national_id=None).first()
    )
    assert citizen is not None
    assert citizen.national_id is not None
    return citizen


def test_the_list_shows_the_communes_people(commune_officer: User) -> None:
    response = client_for(commune_officer).get(reverse("people:list"))
    assert response.status_code == 200
    assert "110 công dân" in response.content.decode()


def test_the_list_hides_other_communes(outsider: User) -> None:
    theirs = _quai_cang_citizen()
    everyone = client_for(outsider).get(reverse("people:list")).content.decode()
    searched = client_for(outsider).get(reverse("people:list"), {"q": theirs.full_name})
    assert "110 công dân" in everyone
    assert f"/people/{theirs.pk}/" not in searched.content.decode()


def test_search_ignores_accents(commune_officer: User) -> None:
    theirs = _quai_cang_citizen()
    response = client_for(commune_officer).get(
        reverse("people:list"), {"q": fold(theirs.full_name)}
    )
    assert f"/people/{theirs.pk}/" in response.content.decode()


def test_the_detail_page_masks_the_cccd_and_logs_the_view(commune_officer: User) -> None:
    theirs = _quai_cang_citizen()
    response = client_for(commune_officer).get(reverse("people:detail", args=[theirs.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert theirs.full_name in body
    assert str(theirs.national_id) not in body
    assert theirs.masked_national_id in body
    assert AccessLogEntry.objects.filter(
        user=commune_officer, action=AccessAction.VIEW, object_id=str(theirs.pk)
    ).exists()


def test_the_detail_page_of_another_commune_is_not_found(outsider: User) -> None:
    theirs = _quai_cang_citizen()
    response = client_for(outsider).get(reverse("people:detail", args=[theirs.pk]))
    assert response.status_code == 404
    assert not AccessLogEntry.objects.filter(user=outsider, action=AccessAction.VIEW).exists()


def test_the_export_holds_only_the_communes_people(commune_officer: User, outsider: User) -> None:
    theirs = _quai_cang_citizen()
    mine = client_for(commune_officer).get(reverse("transfer:citizens", args=["csv"]))
    other = client_for(outsider).get(reverse("transfer:citizens", args=["csv"]))
    mine_text, other_text = _body(mine), _body(other)
    assert mine_text.startswith("\ufeff")
    assert mine_text.count("\n") == 111
    assert theirs.full_name in mine_text
    assert str(theirs.national_id) not in mine_text
    other_ids = set(
        Citizen.objects.filter(home_unit__parent__code="03274").values_list("full_name", flat=True)
    )
    for line in other_text.splitlines()[1:]:
        assert line.split(",")[0] in other_ids
    assert AccessLogEntry.objects.filter(user=outsider, action=AccessAction.EXPORT).exists()


def test_an_export_cell_that_looks_like_a_formula_is_neutralised(commune_officer: User) -> None:
    theirs = _quai_cang_citizen()
    Citizen.objects.filter(pk=theirs.pk).update(full_name="=HYPERLINK(1)")
    text = _body(client_for(commune_officer).get(reverse("transfer:citizens", args=["csv"])))
    assert "'=HYPERLINK(1)" in text


def test_the_list_refuses_a_post(commune_officer: User) -> None:
    assert client_for(commune_officer).post(reverse("people:list")).status_code == 405


def test_the_detail_page_refuses_a_post(commune_officer: User) -> None:
    url = reverse("people:detail", args=[_quai_cang_citizen().pk])
    assert client_for(commune_officer).post(url).status_code == 405


@pytest.mark.parametrize("name", ["people:list", "home"])
def test_anonymous_visitors_are_sent_to_log_in(name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_without_a_role_is_told_so(nobody: User) -> None:
    body = client_for(nobody).get(reverse("home")).content.decode()
    assert "Bạn chưa được giao vai trò nào" in body
    assert "0 công dân" in client_for(nobody).get(reverse("people:list")).content.decode()


def test_the_start_page_shows_what_waits_in_the_officers_area(
    commune_officer: User, outsider: User
) -> None:
    from hoctap.assessments.models import Assessment

    body = client_for(commune_officer).get(reverse("home")).content.decode()
    submitted = Assessment.objects.filter(
        period__code="2021-2022", state="submitted", unit__code__startswith="03289"
    ).count()
    assert "Kỳ đánh giá 2021-2022" in body
    assert f"<strong>{submitted}</strong> <small>đang chờ bạn</small>" in body
    total = Assessment.objects.filter(
        period__code="2021-2022", unit__code__startswith="03289"
    ).count()
    assert f"trên {total} phiếu" in body
    assert "2021-2022" in client_for(outsider).get(reverse("home")).content.decode()


def test_the_start_page_refuses_a_post(commune_officer: User) -> None:
    assert client_for(commune_officer).post(reverse("home")).status_code == 405

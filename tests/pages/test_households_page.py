from typing import Any

import pytest
from django.test import Client

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.core.text import fold
from hoctap.people.models import Citizen, Household
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _quai_cang_household() -> Household:
    return Household.objects.get(unit__parent__code="03289", code="HG01")


def _member(household: Household) -> Citizen:
    member = household.members.order_by("pk").first()
    assert member is not None
    return member


def test_the_list_shows_the_communes_households_with_their_size(
    commune_officer: User, django_assert_max_num_queries: Any
) -> None:
    household = _quai_cang_household()
    client = client_for(commune_officer)
    with django_assert_max_num_queries(7):
        body = client.get("/people/households/").content.decode()
    assert "10 hộ gia đình" in body
    assert f"/people/households/{household.pk}/" in body
    assert f"{household.members.count()} thành viên" in body


def test_the_list_hides_other_communes(outsider: User) -> None:
    theirs = _quai_cang_household()
    body = client_for(outsider).get("/people/households/").content.decode()
    assert "10 hộ gia đình" in body
    assert f"/people/households/{theirs.pk}/" not in body


def test_search_finds_a_member_without_accents_and_logs_the_search(commune_officer: User) -> None:
    household = _quai_cang_household()
    member = _member(household)
    response = client_for(commune_officer).get(
        "/people/households/", {"q": fold(member.full_name).upper()}
    )
    assert f"/people/households/{household.pk}/" in response.content.decode()
    assert AccessLogEntry.objects.filter(
        user=commune_officer, action=AccessAction.SEARCH, object_type="household"
    ).exists()


def test_search_by_code_finds_one_household(commune_officer: User) -> None:
    household = _quai_cang_household()
    body = client_for(commune_officer).get("/people/households/", {"q": "hg01"}).content.decode()
    assert "1 hộ gia đình" in body
    assert f"/people/households/{household.pk}/" in body


def test_search_finds_nobody_of_another_commune(outsider: User) -> None:
    member = _member(_quai_cang_household())
    body = client_for(outsider).get("/people/households/", {"q": member.full_name}).content.decode()
    assert "Không có hộ nào phù hợp." in body


def test_the_household_page_lists_members_and_their_assessments(
    commune_officer: User, django_assert_max_num_queries: Any
) -> None:
    household = _quai_cang_household()
    member = _member(household)
    assessment = Assessment.objects.filter(citizen=member).order_by("period__starts_on").first()
    assert assessment is not None
    client = client_for(commune_officer)
    # 11: the access log entry takes three (lock the chain's head, insert, move the head).
    with django_assert_max_num_queries(11):
        response = client.get(f"/people/households/{household.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Hộ {household.code}" in body
    assert f'href="/people/{member.pk}/"' in body
    assert f'href="/assessments/{assessment.pk}/"' in body
    assert "2020-2021" in body
    assert AccessLogEntry.objects.filter(
        user=commune_officer,
        action=AccessAction.VIEW,
        object_type="household",
        object_id=str(household.pk),
    ).exists()


def test_another_communes_household_is_not_found_and_not_logged(outsider: User) -> None:
    household = _quai_cang_household()
    response = client_for(outsider).get(f"/people/households/{household.pk}/")
    assert response.status_code == 404
    assert not AccessLogEntry.objects.filter(user=outsider, object_type="household").exists()


def test_the_citizen_pages_link_to_the_households(commune_officer: User) -> None:
    household = _quai_cang_household()
    client = client_for(commune_officer)
    assert 'href="/people/households/"' in client.get("/people/").content.decode()
    detail = client.get(f"/people/{_member(household).pk}/").content.decode()
    assert f'href="/people/households/{household.pk}/"' in detail


@pytest.mark.parametrize("suffix", ["", "{pk}/"])
def test_the_household_pages_refuse_a_post(commune_officer: User, suffix: str) -> None:
    url = "/people/households/" + suffix.format(pk=_quai_cang_household().pk)
    assert client_for(commune_officer).post(url).status_code == 405


@pytest.mark.parametrize("suffix", ["", "{pk}/"])
def test_the_household_pages_send_a_visitor_to_sign_in(suffix: str) -> None:
    url = "/people/households/" + suffix.format(pk=_quai_cang_household().pk)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

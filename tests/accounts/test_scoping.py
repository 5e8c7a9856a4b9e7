from datetime import date

import pytest

from hoctap.accounts.models import Role, RoleAssignment, User
from hoctap.accounts.scoping import scope_for
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen
from hoctap.people.selectors import citizen_get, citizen_list

pytestmark = pytest.mark.django_db


def _in_commune(code: str) -> Citizen:
    citizen = Citizen.objects.filter(home_unit__parent__code=code).first()
    assert citizen is not None
    return citizen


def test_a_commune_officer_sees_exactly_their_communes_people(commune_officer: User) -> None:
    seen = citizen_list(user=commune_officer)
    quai_cang = Unit.objects.get(code="03289")
    expected = Citizen.objects.filter(home_unit__path__startswith=quai_cang.path)
    assert set(seen) == set(expected)
    assert seen.count() == 110


def test_the_officer_of_another_commune_sees_nothing_of_quai_cang(outsider: User) -> None:
    theirs = _in_commune("03289")
    assert theirs not in citizen_list(user=outsider)
    assert not citizen_list(user=outsider, query=theirs.full_name).filter(pk=theirs.pk).exists()
    with pytest.raises(Citizen.DoesNotExist):
        citizen_get(user=outsider, pk=theirs.pk)


def test_the_district_officer_sees_all_370(district_officer: User) -> None:
    assert citizen_list(user=district_officer).count() == 370


def test_a_branch_officer_sees_only_their_branch(branch_officer: User) -> None:
    seen = citizen_list(user=branch_officer)
    assert seen.exists()
    branch = Unit.objects.get(code="03289-CH1")
    for citizen in seen:
        assert citizen.home_unit == branch or (
            citizen.workplace is not None and citizen.workplace.path.startswith(branch.path)
        )


def test_a_user_without_a_role_sees_nothing(nobody: User) -> None:
    assert scope_for(nobody).is_empty
    assert citizen_list(user=nobody).count() == 0


def test_a_role_that_has_ended_gives_nothing(commune_officer: User) -> None:
    RoleAssignment.objects.filter(user=commune_officer).update(valid_to=date(2021, 6, 30))
    assert citizen_list(user=commune_officer).count() == 0
    assert scope_for(commune_officer, on=date(2021, 1, 1)).paths


def test_an_administrator_sees_everything() -> None:
    admin = User.objects.get(username="admin")
    assert scope_for(admin).everything
    assert citizen_list(user=admin).count() == Citizen.objects.count()


def test_nested_assignments_collapse_to_the_outer_subtree(commune_officer: User) -> None:
    RoleAssignment.objects.create(
        user=commune_officer,
        role=Role.BRANCH_OFFICER,
        unit=Unit.objects.get(code="03289-CH2"),
        valid_from=date(2020, 1, 1),
    )
    assert scope_for(commune_officer).paths == (Unit.objects.get(code="03289").path,)


def test_a_unit_without_a_path_never_widens_a_scope(commune_officer: User) -> None:
    broken = Unit.objects.create(
        kind="branch", code="BROKEN", name="Lỗi", valid_from=date(2020, 1, 1), path=""
    )
    RoleAssignment.objects.create(
        user=commune_officer, role=Role.BRANCH_OFFICER, unit=broken, valid_from=date(2020, 1, 1)
    )
    assert citizen_list(user=commune_officer).count() == 110

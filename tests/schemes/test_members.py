"""Member rollups counted in the database against a plain Python count, and the candidates."""

import random
from dataclasses import dataclass
from datetime import date

import pytest
from django.db.models import QuerySet

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment, Period, State
from hoctap.core.errors import NotFound
from hoctap.organisation.models import Unit, UnitKind
from hoctap.organisation.services import unit_create
from hoctap.people.models import Citizen, Household, Sex
from hoctap.people.services import citizen_create, household_get_or_create
from hoctap.schemes.candidates import family_candidates, learning_unit_candidates
from hoctap.schemes.members import (
    community_members,
    household_members,
    households_in,
    households_with_members,
    unit_members,
    units_with_members,
)
from hoctap.schemes.models import Scheme, SubjectType
from hoctap.schemes.rules import MemberCounts

pytestmark = pytest.mark.django_db

# Edge birth years around 18 in 2030, the first year of the generated period.
BIRTH_YEARS = [1950, 1990, 2011, 2012, 2013, 2020]
# (state, passed, in our period?) of an assessment; only the first counts as recognised.
ASSESSMENTS = [
    (State.DECIDED, True, True),
    (State.DECIDED, False, True),
    (State.BRANCH_REVIEWED, True, True),
    (State.SUBMITTED, None, True),
    (State.DECIDED, True, False),
]


@dataclass
class World:
    period: Period
    commune: Unit
    branches: list[Unit]
    agencies: list[Unit]
    citizens: list[Citizen]
    recognised: set[int]


def _units(seed: int) -> tuple[Unit, list[Unit], list[Unit]]:
    district = Unit.objects.get(code="03253", kind=UnitKind.COMMUNE).parent
    since = date(2025, 1, 1)
    commune = unit_create(
        kind=UnitKind.COMMUNE, code=f"T{seed}", name="Xã thử", parent=district, valid_from=since
    )
    branches = [
        unit_create(
            kind=UnitKind.BRANCH,
            code=f"T{seed}-B{n}",
            name="Chi hội",
            parent=commune,
            valid_from=since,
        )
        for n in range(3)
    ]
    agencies = [
        unit_create(
            kind=UnitKind.AGENCY,
            code=f"T{seed}-A{n}",
            name="Cơ quan",
            parent=commune,
            valid_from=since,
        )
        for n in range(2)
    ]
    return commune, branches, agencies


def build(seed: int) -> World:
    """Generate households, people and assessments at random, through the real services."""
    rng = random.Random(seed)
    period = Period.objects.create(
        code=f"t{seed}", starts_on=date(2030, 9, 1), ends_on=date(2031, 8, 31)
    )
    other = Period.objects.create(
        code=f"u{seed}", starts_on=date(2031, 9, 1), ends_on=date(2032, 8, 31)
    )
    cdht = Scheme.objects.filter(code="cdht-2022").latest("version")
    commune, branches, agencies = _units(seed)
    households = [
        household_get_or_create(unit=rng.choice(branches), code=f"H{n}") for n in range(8)
    ]
    citizens, recognised = [], set()
    for n in range(rng.randint(10, 40)):
        home = rng.choice(branches)
        citizen = citizen_create(
            full_name=f"Người thử {n}",
            birth_year=rng.choice(BIRTH_YEARS),
            sex=Sex.FEMALE,
            home_unit=home,
            household=rng.choice([None, *households]),
            workplace=rng.choice([None, *agencies]),
        )
        citizens.append(citizen)
        kind = rng.choice([None, *ASSESSMENTS])
        if kind is None:
            continue
        state, passed, ours = kind
        Assessment.objects.create(
            period=period if ours else other,
            scheme=cdht,
            subject_type=SubjectType.CITIZEN,
            citizen=citizen,
            unit=home,
            group="G1",
            state=state,
            passed=passed,
        )
        if kind == ASSESSMENTS[0]:
            recognised.add(citizen.pk)
    return World(period, commune, branches, agencies, citizens, recognised)


def brute(world: World, members: list[Citizen]) -> MemberCounts:
    return MemberCounts(
        holding=sum(1 for c in members if c.pk in world.recognised), total=len(members)
    )


def adults_of(world: World, household: Household) -> list[Citizen]:
    return [
        c for c in world.citizens if c.household_id == household.pk and 2030 - c.birth_year >= 18
    ]


@pytest.mark.parametrize("seed", range(6))
def test_household_rollups_match_a_count_by_hand(seed: int) -> None:
    world = build(seed)
    rows = households_with_members(period=world.period, households=households_in(world.commune))
    assert len(rows) == 8
    for household, counts in rows:
        assert counts == brute(world, adults_of(world, household)), household.code
        assert household_members(household=household, period=world.period) == counts


@pytest.mark.parametrize("seed", range(6))
def test_learning_unit_rollups_count_staff_of_agencies_and_residents_of_branches(
    seed: int,
) -> None:
    world = build(seed)
    expected = {
        **{
            a.pk: brute(world, [c for c in world.citizens if c.workplace_id == a.pk])
            for a in world.agencies
        },
        **{
            b.pk: brute(world, [c for c in world.citizens if c.home_unit_id == b.pk])
            for b in world.branches
        },
    }
    rows = units_with_members(period=world.period, unit=world.commune)
    assert {u.pk: counts for u, counts in rows} == expected
    for unit, counts in rows:
        assert unit_members(unit=unit, period=world.period) == counts


def test_a_commune_is_no_learning_unit_and_has_no_members() -> None:
    world = build(0)
    assert unit_members(unit=world.commune, period=world.period) == MemberCounts(0, 0)


def test_a_community_counts_its_households_and_recorded_learning_families() -> None:
    world = build(1)
    assert community_members(unit=world.commune, period=world.period) == MemberCounts(0, 8)


def test_an_adult_is_18_in_the_first_year_of_the_period() -> None:
    world = build(2)
    household = household_get_or_create(unit=world.branches[0], code="TUOI")
    for year in (2012, 2013):
        citizen_create(
            full_name=f"Sinh {year}",
            birth_year=year,
            sex=Sex.MALE,
            home_unit=world.branches[0],
            household=household,
        )
    assert household_members(household=household, period=world.period) == MemberCounts(0, 1)


def test_rollups_take_a_fixed_number_of_queries(
    django_assert_max_num_queries: pytest.FixtureRequest,
) -> None:
    world = build(3)
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        units_with_members(period=world.period, unit=world.commune)
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        households_with_members(period=world.period, households=households_in(world.commune))


# Candidates on the demo


def _demo() -> tuple[Period, Unit]:
    return Period.objects.get(code="2020-2021"), Unit.objects.get(code="03289", kind="commune")


def _recognised_in(period: Period) -> set[int]:
    decided = Assessment.objects.filter(
        period=period, state=State.DECIDED, passed=True, subject_type=SubjectType.CITIZEN
    )
    return set(decided.values_list("citizen_id", flat=True))


def _households(unit: Unit) -> QuerySet[Household]:
    return Household.objects.filter(unit__path__startswith=unit.path)


def test_family_candidates_are_the_households_whose_adults_are_all_recognised(
    commune_officer: User,
) -> None:
    period, commune = _demo()
    recognised = _recognised_in(period)
    expected = {}
    for household in _households(commune):
        adults = [c for c in household.members.all() if 2020 - c.birth_year >= 18]
        if adults and all(c.pk in recognised for c in adults):
            expected[household.pk] = MemberCounts(len(adults), len(adults))
    awarded_before = Assessment.objects.filter(subject_type=SubjectType.HOUSEHOLD).count()
    found = family_candidates(user=commune_officer, period=period, unit=commune)
    assert expected, "the demo should give some learning-family candidates"
    assert {c.subject.pk: c.counts for c in found.items} == expected
    assert found.considered == _households(commune).count()
    assert found.scheme.code == "gia-dinh-hoc-tap"
    assert found.provisional
    # A proposal only: nothing is recorded.
    assert Assessment.objects.filter(subject_type=SubjectType.HOUSEHOLD).count() == awarded_before


def test_a_household_with_one_adult_not_recognised_is_no_family_candidate(
    commune_officer: User,
) -> None:
    period, commune = _demo()
    household = _households(commune).first()
    assert household is not None
    citizen_create(
        full_name="Người chưa đánh giá",
        birth_year=1980,
        sex=Sex.MALE,
        home_unit=household.unit,
        household=household,
    )
    found = family_candidates(user=commune_officer, period=period, unit=commune)
    assert household.pk not in {c.subject.pk for c in found.items}


def test_learning_unit_candidates_have_at_least_90_percent_of_members_recognised(
    district_officer: User,
) -> None:
    period, commune = _demo()
    district = commune.parent
    assert district is not None
    recognised = _recognised_in(period)
    expected = {}
    for unit in Unit.objects.within(district.path).filter(kind__in=["agency", "branch"]):
        field = "workplace" if unit.kind == "agency" else "home_unit"
        people = list(Citizen.objects.filter(**{field: unit}).values_list("pk", flat=True))
        held = sum(1 for pk in people if pk in recognised)
        if people and held * 10 >= 9 * len(people):
            expected[unit.pk] = MemberCounts(held, len(people))
    found = learning_unit_candidates(user=district_officer, period=period, unit=district)
    assert expected
    assert {c.subject.pk: c.counts for c in found.items} == expected
    assert (found.scheme.code, found.at_least_percent, found.provisional) == (
        "don-vi-hoc-tap-2023",
        "90",
        True,
    )


def test_an_outsider_gets_no_candidates_of_another_commune(outsider: User) -> None:
    period, commune = _demo()
    with pytest.raises(NotFound):
        family_candidates(user=outsider, period=period, unit=commune)
    with pytest.raises(NotFound):
        learning_unit_candidates(user=outsider, period=period, unit=commune)


def test_a_commune_officer_gets_only_the_units_of_the_commune(commune_officer: User) -> None:
    period, commune = _demo()
    found = learning_unit_candidates(user=commune_officer, period=period, unit=commune)
    assert found.items
    assert all(
        isinstance(c.subject, Unit) and c.subject.path.startswith(commune.path) for c in found.items
    )
    with pytest.raises(NotFound):
        learning_unit_candidates(user=commune_officer, period=period, unit=commune.parent)  # type: ignore[arg-type]

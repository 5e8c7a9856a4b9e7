"""The Tuần Giáo 2020–2021 pilot: its units, households, people and accounts (spec §1)."""

import random
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from hoctap.accounts.models import Role, RoleAssignment, User
from hoctap.demo.names import pick_style
from hoctap.organisation.admin_divisions import national_root
from hoctap.organisation.models import Unit, UnitKind
from hoctap.organisation.services import unit_create
from hoctap.people.models import Citizen, Ethnicity, Sex
from hoctap.people.services import citizen_create, household_get_or_create

SEED = 2020
PASSWORD = "hoctap-demo"
ROLES_FROM = date(2020, 1, 1)
# Điện Biên was split from Lai Châu on 1 January 2004; districts ended on 30 June 2025.
PROVINCE_FROM = date(2004, 1, 1)
DISTRICT_UNTIL = date(2025, 6, 30)


@dataclass(frozen=True)
class CommunePlan:
    code: str
    name: str
    villages: tuple[str, ...]
    agencies: tuple[str, ...]
    # Pilot participants by target group: farmers and workers, traders, officials.
    groups: dict[str, int] = field(default_factory=dict)


PILOT = (
    CommunePlan(
        code="03253",
        name="Thị trấn Tuần Giáo",
        villages=("Khối Tân Tiến", "Khối Đồng Tâm", "Khối Sơn Thủy"),
        agencies=(
            "Ủy ban nhân dân huyện Tuần Giáo",
            "Trường THPT Tuần Giáo",
            "Trung tâm Y tế huyện Tuần Giáo",
        ),
        groups={"G1": 20, "G2": 8, "G3": 122},
    ),
    CommunePlan(
        code="03289",
        name="Xã Quài Cang",
        villages=("Bản Cang", "Bản Kép", "Bản Nong Tóng"),
        agencies=("Ủy ban nhân dân xã Quài Cang", "Trường THCS Quài Cang"),
        groups={"G1": 52, "G2": 2, "G3": 56},
    ),
    CommunePlan(
        code="03274",
        name="Xã Quài Nưa",
        villages=("Bản Lứa", "Bản Cong", "Bản Hua Sát"),
        agencies=("Ủy ban nhân dân xã Quài Nưa", "Trường THCS Quài Nưa"),
        groups={"G1": 50, "G2": 2, "G3": 58},
    ),
)
HOUSEHOLDS_PER_COMMUNE = 10
COMMUNE_OFFICERS = {"03253": "thitran", "03289": "quaicang", "03274": "quainua"}


@dataclass(frozen=True)
class DemoPerson:
    """A participant and the unit and target group they take part in."""

    citizen: Citizen
    group: str
    unit: Unit


@dataclass
class DemoPilot:
    province: Unit
    district: Unit
    communes: dict[str, Unit]
    people: list[DemoPerson]
    accounts: list[tuple[str, str, Unit]]


def _province() -> Unit:
    """Return Tỉnh Điện Biên in force since 2004 (load-units may have created it first)."""
    existing = Unit.objects.filter(code="11", kind=UnitKind.PROVINCE).order_by("valid_from").first()
    if existing is not None:
        if existing.valid_from > PROVINCE_FROM:
            # Điện Biên came through the 2025 reform unchanged: one unit, in force since 2004.
            existing.valid_from = PROVINCE_FROM
            existing.save(update_fields=["valid_from"])
        return existing
    return unit_create(
        kind=UnitKind.PROVINCE,
        code="11",
        name="Tỉnh Điện Biên",
        parent=national_root(),
        valid_from=PROVINCE_FROM,
        official_code=True,
    )


def _old_unit(kind: UnitKind, code: str, name: str, parent: Unit) -> Unit:
    return unit_create(
        kind=kind,
        code=code,
        name=name,
        parent=parent,
        valid_from=PROVINCE_FROM,
        valid_to=DISTRICT_UNTIL,
        official_code=True,
    )


def _child(kind: UnitKind, code: str, name: str, parent: Unit) -> Unit:
    return unit_create(
        kind=kind,
        code=code,
        name=name,
        parent=parent,
        valid_from=date(2020, 9, 1),
        valid_to=DISTRICT_UNTIL,
    )


def _national_id(rng: random.Random, birth_year: int, female: bool, used: set[str]) -> str:
    """Return a unique synthetic CCCD: Điện Biên's 011, sex-and-century digit, year, serial."""
    century = 0 if birth_year < 2000 else 2
    while True:
        value = f"011{century + int(female)}{birth_year % 100:02d}{rng.randrange(10**6):06d}"
        if value not in used:
            used.add(value)
            return value


@transaction.atomic
def build_pilot() -> DemoPilot:
    """Create the pilot's tree, households, 370 people and accounts, deterministically."""
    rng = random.Random(SEED)
    province = _province()
    district = _old_unit(UnitKind.DISTRICT, "099", "Huyện Tuần Giáo", province)
    ethnicities = {e.code: e for e in Ethnicity.objects.all()}
    used_ids: set[str] = set()
    communes: dict[str, Unit] = {}
    people: list[DemoPerson] = []
    for plan in PILOT:
        commune = _old_unit(UnitKind.COMMUNE, plan.code, plan.name, district)
        communes[plan.code] = commune
        branches = [
            _child(
                UnitKind.BRANCH,
                f"{plan.code}-CH{i}",
                f"Chi hội khuyến học {v[0].lower()}{v[1:]}",
                commune,
            )
            for i, v in enumerate(plan.villages, start=1)
        ]
        agencies = [
            _child(UnitKind.AGENCY, f"{plan.code}-CQ{i}", name, commune)
            for i, name in enumerate(plan.agencies, start=1)
        ]
        households = [
            household_get_or_create(unit=branches[i % len(branches)], code=f"HG{i + 1:02d}")
            for i in range(HOUSEHOLDS_PER_COMMUNE)
        ]
        for group, count in plan.groups.items():
            for n in range(count):
                official = group == "G3"
                female = rng.random() < 0.5
                style = pick_style(rng, official=official)
                birth_year = rng.randint(1965, 1998) if official else rng.randint(1955, 2002)
                household = None if official else households[n % len(households)]
                home = household.unit if household else rng.choice(branches)
                citizen = citizen_create(
                    full_name=style.make(rng, female=female),
                    birth_year=birth_year,
                    sex=Sex.FEMALE if female else Sex.MALE,
                    ethnicity=ethnicities[style.ethnicity],
                    national_id=(
                        _national_id(rng, birth_year, female, used_ids)
                        if rng.random() < 0.7
                        else None
                    ),
                    household=household,
                    home_unit=home,
                    workplace=rng.choice(agencies) if official else None,
                )
                if household and not household.head_name:
                    household.head_name = citizen.full_name
                    household.save(update_fields=["head_name"])
                people.append(DemoPerson(citizen, group, citizen.workplace or home))
    accounts = _accounts(province, district, communes)
    return DemoPilot(province, district, communes, people, accounts)


def _accounts(
    province: Unit, district: Unit, communes: dict[str, Unit]
) -> list[tuple[str, str, Unit]]:
    """Create one account per role; all share the demo password."""
    first_branch = {
        code: Unit.objects.filter(parent=unit, kind=UnitKind.BRANCH).order_by("code").first()
        for code, unit in communes.items()
    }
    first_agency = Unit.objects.get(code="03253-CQ2")
    plan: list[tuple[str, str, Role, Unit | None]] = [
        ("admin", "Quản trị hệ thống", Role.ADMINISTRATOR, province.parent),
        ("dienbien", "Cán bộ Hội Khuyến học tỉnh", Role.PROVINCE_OFFICER, province),
        ("tuangiao", "Cán bộ Hội Khuyến học huyện", Role.DISTRICT_OFFICER, district),
        ("thitran", "Cán bộ Hội Khuyến học thị trấn", Role.COMMUNE_OFFICER, communes["03253"]),
        ("quaicang", "Cán bộ Hội Khuyến học xã Quài Cang", Role.COMMUNE_OFFICER, communes["03289"]),
        ("quainua", "Cán bộ Hội Khuyến học xã Quài Nưa", Role.COMMUNE_OFFICER, communes["03274"]),
        ("chihoi.thitran", "Cán bộ chi hội", Role.BRANCH_OFFICER, first_branch["03253"]),
        ("chihoi.quaicang", "Cán bộ chi hội", Role.BRANCH_OFFICER, first_branch["03289"]),
        ("chihoi.quainua", "Cán bộ chi hội", Role.BRANCH_OFFICER, first_branch["03274"]),
        ("thpt.tuangiao", "Ban khuyến học trường", Role.AGENCY_HEAD, first_agency),
    ]
    created: list[tuple[str, str, Unit]] = []
    for username, title, role, unit in plan:
        assert unit is not None  # noqa: S101 - every unit above was just created
        is_admin = role == Role.ADMINISTRATOR
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=title,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        RoleAssignment.objects.create(user=user, role=role, unit=unit, valid_from=ROLES_FROM)
        created.append((username, str(Role(role).label), unit))
    return created

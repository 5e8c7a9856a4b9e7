"""Load today's provinces and communes from the `vietnam-provinces` package."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from hoctap.core.text import nfc
from hoctap.organisation.models import Unit, UnitKind
from hoctap.organisation.services import unit_create, unit_path

# Resolution 202/2025/QH15: the two-level local government took effect on this day.
REFORM_DATE = date(2025, 7, 1)
# Hội Khuyến học Việt Nam was founded on 2 October 1996.
NATIONAL_CODE = "VN"
NATIONAL_FROM = date(1996, 10, 2)


@dataclass
class LoadSummary:
    created: int = 0
    renamed: int = 0
    unchanged: int = 0


def national_root() -> Unit:
    """Return the national unit, creating it on first use."""
    root = Unit.objects.filter(code=NATIONAL_CODE, parent__isnull=True).first()
    if root is None:
        root = unit_create(
            kind=UnitKind.NATIONAL,
            code=NATIONAL_CODE,
            name="Hội Khuyến học Việt Nam",
            parent=None,
            valid_from=NATIONAL_FROM,
            official_code=False,
        )
    return root


def province_name(province: Province) -> str:
    """Return the name as the association writes it: 'Tỉnh Điện Biên', 'Thành phố Hà Nội'."""
    name = nfc(province.name)
    if province.division_type == VietNamDivisionType.TINH and not name.startswith("Tỉnh "):
        return f"Tỉnh {name}"
    return name


def province_code(value: int) -> str:
    return f"{value:02d}"


def ward_code(value: int) -> str:
    return f"{value:05d}"


def _current(codes: set[str], kind: UnitKind, today: date) -> dict[str, Unit]:
    units = Unit.objects.valid_on(today).filter(kind=kind, code__in=codes)
    return {unit.code: unit for unit in units}


def _sync_names(existing: dict[str, Unit], names: dict[str, str], summary: LoadSummary) -> None:
    changed = []
    for code, unit in existing.items():
        if unit.name != names[code]:
            unit.name = names[code]
            changed.append(unit)
        else:
            summary.unchanged += 1
    Unit.objects.bulk_update(changed, ["name"])
    summary.renamed += len(changed)


@transaction.atomic
def load_units(*, today: date, province: str | None = None) -> LoadSummary:
    """Create or rename today's provinces and their communes; running it twice changes nothing."""
    summary = LoadSummary()
    root = national_root()
    provinces = [p for p in Province.iter_all() if province in (None, province_code(p.code))]
    names = {province_code(p.code): province_name(p) for p in provinces}
    existing = _current(set(names), UnitKind.PROVINCE, today)
    _sync_names(existing, names, summary)
    for code in sorted(set(names) - set(existing)):
        existing[code] = unit_create(
            kind=UnitKind.PROVINCE,
            code=code,
            name=names[code],
            parent=root,
            valid_from=REFORM_DATE,
            official_code=True,
        )
        summary.created += 1
    for p in provinces:
        _load_wards(
            parent=existing[province_code(p.code)], wards=p.code, today=today, summary=summary
        )
    return summary


def _load_wards(*, parent: Unit, wards: ProvinceCode, today: date, summary: LoadSummary) -> None:
    rows = list(Ward.iter_by_province(wards))
    names = {ward_code(w.code): nfc(w.name) for w in rows}
    existing = _current(set(names), UnitKind.COMMUNE, today)
    _sync_names(existing, names, summary)
    new = [
        Unit(
            kind=UnitKind.COMMUNE,
            code=code,
            name=names[code],
            parent=parent,
            depth=parent.depth + 1,
            valid_from=REFORM_DATE,
            official_code=True,
        )
        for code in sorted(set(names) - set(existing))
    ]
    created = Unit.objects.bulk_create(new)
    for unit in created:
        unit.path = unit_path(parent=parent, pk=unit.pk)
    Unit.objects.bulk_update(created, ["path"])
    summary.created += len(created)

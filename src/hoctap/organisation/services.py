"""Writes to the organisation tree."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hoctap.core.text import nfc
from hoctap.organisation.models import SuccessionKind, Unit, UnitKind, UnitSuccession


def unit_path(*, parent: Unit | None, pk: int) -> str:
    """Return the materialised path of a unit with id `pk` under `parent`."""
    return f"{parent.path if parent else '/'}{pk}/"


@transaction.atomic
def unit_create(
    *,
    kind: UnitKind,
    code: str,
    name: str,
    parent: Unit | None,
    valid_from: date,
    valid_to: date | None = None,
    official_code: bool = False,
) -> Unit:
    """Create a unit, refusing a code already in force during any part of its validity."""
    code = code.strip()
    overlapping = Unit.objects.filter(code=code, valid_from__lte=valid_to or date.max).exclude(
        valid_to__lt=valid_from
    )
    if overlapping.exists():
        raise ValidationError(
            _("Code %(code)s is already used by another unit during that time.") % {"code": code}
        )
    if parent is not None and not parent.is_valid_on(valid_from):
        raise ValidationError(_("The parent unit is not in force on the start date."))
    unit = Unit.objects.create(
        kind=kind,
        code=code,
        name=nfc(name),
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        official_code=official_code,
        depth=(parent.depth + 1) if parent else 0,
    )
    unit.path = unit_path(parent=parent, pk=unit.pk)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def unit_succession_record(
    *,
    predecessor: Unit,
    successor: Unit,
    kind: SuccessionKind,
    effective_date: date,
    note: str = "",
) -> UnitSuccession:
    """Record that `successor` carries on `predecessor`'s people from `effective_date`."""
    if predecessor.valid_to is None or predecessor.valid_to >= effective_date:
        raise ValidationError(_("The former unit must end before the succession takes effect."))
    if not successor.is_valid_on(effective_date):
        raise ValidationError(_("The new unit is not in force on the effective date."))
    succession, _created = UnitSuccession.objects.get_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={"kind": kind, "effective_date": effective_date, "note": nfc(note)},
    )
    return succession

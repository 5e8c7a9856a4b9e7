"""Reads of the organisation tree."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hoctap.accounts.scoping import Scope
from hoctap.organisation.models import Unit, UnitKind, UnitQuerySet, UnitSuccession


def unit_resolve(*, code: str, on: date) -> Unit:
    """Return the unit carrying `code` on `on`, or raise a ValidationError in Vietnamese."""
    try:
        return Unit.objects.valid_on(on).get(code=code.strip())
    except Unit.DoesNotExist:
        raise ValidationError(
            _("No unit has code %(code)s on %(day)s.")
            % {"code": code, "day": on.strftime("%d/%m/%Y")}
        ) from None


def unit_children(*, unit: Unit, on: date) -> UnitQuerySet:
    """Return the direct children of `unit` in force on `on`, by name."""
    return Unit.objects.valid_on(on).filter(parent=unit).order_by("name")


def unit_tops(*, scope: Scope, on: date) -> list[Unit]:
    """Return the outermost units in `scope` in force on `on`, by name."""
    in_force = scope.filter(Unit.objects.valid_on(on), "")
    # A unit is on top when its parent is not itself in scope and in force that day.
    return list(in_force.exclude(parent__in=in_force.values("pk")).order_by("name"))


def unit_ancestors(*, unit: Unit) -> list[Unit]:
    """Return the units above `unit`, root first."""
    ids = [int(part) for part in unit.path.strip("/").split("/")[:-1] if part]
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def unit_commune(*, unit: Unit) -> Unit | None:
    """Return the commune the unit lies in (itself when it is one), or None above communes."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return Unit.objects.filter(pk__in=ids, kind=UnitKind.COMMUNE).order_by("-depth").first()


def unit_restated(*, unit: Unit, on: date) -> list[Unit]:
    """Follow successions from `unit` to the units in force on `on` (itself if still valid)."""
    if unit.is_valid_on(on):
        return [unit]
    found: list[Unit] = []
    seen: set[int] = {unit.pk}
    frontier = [unit.pk]
    while frontier:
        edges = UnitSuccession.objects.filter(predecessor_id__in=frontier).select_related(
            "successor"
        )
        frontier = []
        for edge in edges:
            nxt = edge.successor
            if nxt.pk in seen:
                continue
            seen.add(nxt.pk)
            if nxt.is_valid_on(on):
                found.append(nxt)
            else:
                frontier.append(nxt.pk)
    return found


def unit_resolve_between(*, code: str, starts_on: date, ends_on: date) -> Unit:
    """Return the unit carrying `code` during a period (the latest, if the code changed hands)."""
    unit = (
        Unit.objects.during(starts_on, ends_on)
        .filter(code=code.strip())
        .order_by("-valid_from")
        .first()
    )
    if unit is None:
        raise ValidationError(
            _("No unit has code %(code)s between %(start)s and %(end)s.")
            % {
                "code": code,
                "start": starts_on.strftime("%d/%m/%Y"),
                "end": ends_on.strftime("%d/%m/%Y"),
            }
        )
    return unit

"""The two trees a report can follow: as units stood in the period, or as they stand today."""

from django.utils import timezone

from hoctap.organisation.models import Unit
from hoctap.organisation.selectors import unit_restated


def paths_in_tree(ids: set[int], unit: Unit, tree: str) -> dict[int, str]:
    """Map units (by id) to their path in the chosen tree; keep those inside `unit`.

    In the restated tree a unit that has ended is replaced by its successor today.
    """
    if tree != "restated":
        held = Unit.objects.filter(pk__in=ids, path__startswith=unit.path)
        return dict(held.values_list("pk", "path"))
    units = Unit.objects.only("path", "valid_from", "valid_to").in_bulk(ids)
    today = timezone.localdate()
    paths: dict[int, str] = {}
    for pk, held_unit in units.items():
        if held_unit.is_valid_on(today):
            paths[pk] = held_unit.path
            continue
        successors = unit_restated(unit=held_unit, on=today)
        if successors:
            paths[pk] = successors[0].path
    return {pk: path for pk, path in paths.items() if path.startswith(unit.path)}

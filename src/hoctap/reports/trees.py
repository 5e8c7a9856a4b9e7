"""The two trees a report can follow: as units stood in the period, or as they stand today."""

from django.utils import timezone

from hoctap.organisation.models import Unit
from hoctap.organisation.selectors import unit_restated


def paths_in_tree(ids: set[int], unit: Unit, tree: str) -> dict[int, str]:
    """Map units (by id) to their path in the chosen tree; keep those inside `unit`.

    In the restated tree a unit that has ended is replaced by its successor today.
    """
    units = Unit.objects.only("path", "valid_from", "valid_to").in_bulk(ids)
    today = timezone.localdate()
    paths: dict[int, str] = {}
    for pk, held in units.items():
        if tree == "restated" and not held.is_valid_on(today):
            successors = unit_restated(unit=held, on=today)
            if not successors:
                continue
            paths[pk] = successors[0].path
        else:
            paths[pk] = held.path
    return {pk: path for pk, path in paths.items() if path.startswith(unit.path)}

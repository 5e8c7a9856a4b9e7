"""Progress of a period per unit subtree, read from the rollups in one query."""

from collections.abc import Iterable

from django.db.models import Q, Sum

from hoctap.assessments.models import Period
from hoctap.organisation.models import Unit
from hoctap.reports.model import Counts
from hoctap.reports.models import Dimension, ReportCell


def unit_progress(*, period: Period, units: Iterable[Unit]) -> dict[int, Counts]:
    """Count enrolled, reviewed and decided assessments of `period` below each unit, by id."""
    by_path = {unit.path: unit.pk for unit in units if unit.path}
    counts = {pk: Counts() for pk in by_path.values()}
    if not by_path:
        return counts
    within = Q()
    for path in by_path:
        within |= Q(unit__path__startswith=path)
    rows = (
        ReportCell.objects.filter(within, period=period, dimension=Dimension.GROUP, n__gt=0)
        .values("unit__path", "state", "outcome")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for row in rows:
        # "/1/7/42/" lies below "/1/", "/1/7/" and "/1/7/42/": add it to each unit asked for.
        parts = row["unit__path"].strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            pk = by_path.get("/" + "/".join(parts[:depth]) + "/")
            if pk is not None:
                counts[pk].add(
                    n=row["total"], state=row["state"], passed=row["outcome"] == "passed"
                )
    return counts

"""Rollups: exact running counts that reports read instead of scanning every assessment.

They change in the same transaction as the assessment they count (see rollups.py), and
`hoctap check-rollups` proves they equal a fresh count from the assessments themselves.
"""

from django.db import models

from hoctap.assessments.models import Period
from hoctap.organisation.models import Unit


class Dimension(models.TextChoices):
    GROUP = "group"
    SEX = "sex"
    ETHNICITY = "ethnicity"
    AGE = "age"


class ReportCell(models.Model):
    """How many assessments of a period, made in a unit, have this value, state and outcome."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    value = models.CharField(max_length=60)
    state = models.CharField(max_length=16)
    # "" while undecided, else "passed" or "not_passed" (not NULL: NULLs never collide in a
    # unique index, and the upsert relies on the collision).
    outcome = models.CharField(max_length=12)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "dimension", "value", "state", "outcome"],
                name="report_cell_key",
            ),
        ]
        # Reports read one dimension of one period at a time: a small subtree seeks its units
        # through the first index; a large one reads the second, which holds every column the
        # breakdowns need in the order they group by, so no row is fetched and no sort is
        # made (at 1M assessments the ethnicity breakdown fell from ~120 to ~45 ms on SQLite).
        indexes = [
            models.Index(fields=["period", "dimension", "unit"], name="report_cell_dimension"),
            models.Index(
                fields=["period", "dimension", "value", "state", "outcome", "unit", "n"],
                name="report_cell_grouped",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.period_id}/{self.unit_id} {self.dimension}={self.value} {self.state}: {self.n}"
        )


class ReportIndicatorCell(models.Model):
    """Sum of final scores and count below the minimum, per indicator, of decided assessments."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=16)
    n = models.IntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    below_min = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "indicator"], name="report_indicator_cell_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.unit_id} {self.indicator}: {self.n}"

"""Small shared tables: counters for rate limits."""

from django.db import models


class RateCounter(models.Model):
    """How often one key was hit in one fixed window, counted in the database.

    The database is the one store every server process shares here (no Redis or memcached),
    and an UPDATE … SET hits = hits + 1 is atomic on SQLite and PostgreSQL alike.
    """

    key = models.CharField(max_length=64)
    window = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="one_counter_per_key_and_window")
        ]
        indexes = [models.Index(fields=["window"], name="ratecounter_window")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window:%H:%M} {self.hits}"

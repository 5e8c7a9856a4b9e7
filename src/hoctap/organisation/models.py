"""The organisation tree: units valid over time, and the successions between them."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    BRANCH = "branch", _("Branch")
    VILLAGE = "village", _("Village")
    AGENCY = "agency", _("Agency")
    CLAN = "clan", _("Clan")


class UnitQuerySet(models.QuerySet["Unit"]):
    def valid_on(self, day: date) -> "UnitQuerySet":
        """Keep the units in force on `day`."""
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def during(self, starts_on: date, ends_on: date) -> "UnitQuerySet":
        """Keep the units in force on at least one day from `starts_on` to `ends_on`."""
        return self.filter(valid_from__lte=ends_on).exclude(valid_to__lt=starts_on)

    def within(self, path: str) -> "UnitQuerySet":
        """Keep the unit whose path is `path` and every unit below it."""
        return self.filter(path__startswith=path)


class Unit(models.Model):
    """A node of the tree; a code names a unit only together with a date."""

    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    code = models.CharField(_("code"), max_length=32, db_index=True)
    official_code = models.BooleanField(_("official code"), default=False)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Materialised path of ids ("/1/7/42/"): a subtree is one prefix match on both databases.
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_code_valid_from"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["path"], name="unit_path", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_valid_on(self, day: date) -> bool:
        """Tell whether the unit is in force on `day`."""
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")
    RENAME = "rename", _("Rename")


class UnitSuccession(models.Model):
    """One edge from a unit that ended to a unit that carries on its people."""

    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="predecessions")
    kind = models.CharField(_("kind"), max_length=16, choices=SuccessionKind.choices)
    effective_date = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_unique_edge"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.kind}, {self.effective_date})"

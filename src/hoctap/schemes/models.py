"""Schemes (bộ tiêu chí): versioned, immutable once an assessment uses them."""

from functools import cached_property
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from hoctap.schemes.definition import SchemeDefinition, definition_from_dict


class SubjectType(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    HOUSEHOLD = "household", _("Household")
    CLAN = "clan", _("Clan")
    COMMUNITY = "community", _("Community")
    AGENCY = "agency", _("Agency")


class SchemeStatus(models.TextChoices):
    OFFICIAL = "official", _("Official")
    PROVISIONAL = "provisional", _("Provisional")


class Scheme(models.Model):
    """One version of a scheme file; `definition` holds the whole parsed file."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=SchemeStatus.choices)
    subject_type = models.CharField(_("subject"), max_length=16, choices=SubjectType.choices)
    definition = models.JSONField()
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scheme_code_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @cached_property
    def parsed(self) -> SchemeDefinition:
        """Return the definition as typed objects."""
        return definition_from_dict(self.definition)

    @property
    def rule(self) -> dict[str, Any]:
        return dict(self.definition["rule"])

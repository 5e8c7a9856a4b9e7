"""Certificates (giấy chứng nhận), the counters that number them, and sibling-title entries."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hoctap.assessments.models import Assessment, Period
from hoctap.organisation.models import Unit
from hoctap.people.models import Household
from hoctap.schemes.models import Scheme, SubjectType


class CertificateCounter(models.Model):
    """The last serial number used by one issuer code in one year; locked to take the next.

    Keyed by the issuer's code, not its row: an official code can pass to a successor unit
    (03253 in 2025), and the serial printed on paper must still be unique.
    """

    issuer_code = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer_code", "year"], name="one_counter_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_code}/{self.year}: {self.last}"


class Certificate(models.Model):
    """A certificate for one decided, passed assessment, verifiable by its token.

    At most one current (not revoked) certificate per assessment; a revoked one stays, so a
    re-decided assessment can get a new certificate with a new serial and token.
    """

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="certificates"
    )
    issuer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="certificates")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    serial = models.CharField(_("serial"), max_length=64, unique=True)
    # The value in the QR link. Kept in clear (ADR 0026): it opens only the public page.
    token = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(revoked_at__isnull=True),
                name="one_current_certificate_per_assessment",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="revoked_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class TitleEntry(models.Model):
    """A household or a unit registered for a sibling title in one period, and the decision.

    The sibling titles (learning family, learning unit, learning community) are not citizen
    assessments: their subject is a household or a unit, and their rule rests on member
    counts. An entry is made when the subject registers (đăng ký) at the start of the year;
    the decision records the scores of the title's own criteria, the member counts taken
    from the data at that moment, the result the scheme's rule gives, and the decision's
    number and date. The report counts entries (registered) and passed decisions (recognised).
    """

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="title_entries")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="title_entries")
    subject_type = models.CharField(max_length=16, choices=SubjectType.choices)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="title_entries"
    )
    subject_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="title_entries"
    )
    # Where the entry is counted and who may see it: the household's unit, or the unit itself.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scores = models.JSONField(default=dict, blank=True)
    members_holding = models.PositiveIntegerField(null=True, blank=True)
    members_total = models.PositiveIntegerField(null=True, blank=True)
    result = models.CharField(_("result"), max_length=32, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("title entry")
        verbose_name_plural = _("title entries")
        ordering = ["period", "unit__path", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(household__isnull=False) & Q(subject_unit__isnull=True))
                | (Q(household__isnull=True) & Q(subject_unit__isnull=False)),
                name="title_entry_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(passed__isnull=True) | ~Q(decision_number=""),
                name="title_decided_with_number",
            ),
            models.UniqueConstraint(
                fields=["period", "subject_type", "household"],
                condition=Q(household__isnull=False),
                name="one_title_entry_per_household",
            ),
            models.UniqueConstraint(
                fields=["period", "subject_type", "subject_unit"],
                condition=Q(subject_unit__isnull=False),
                name="one_title_entry_per_unit",
            ),
        ]
        indexes = [models.Index(fields=["period", "unit"], name="title_entry_period_unit")]

    def __str__(self) -> str:
        return f"{self.scheme.code}: {self.household or self.subject_unit} ({self.period})"

    @property
    def subject(self) -> "Household | Unit | None":
        """Return the household or the unit (the check constraint makes one of them set)."""
        return self.household or self.subject_unit

"""Certificates (giấy chứng nhận) and the counters that number them without gaps."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hoctap.assessments.models import Assessment
from hoctap.organisation.models import Unit


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

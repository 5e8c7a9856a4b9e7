"""Who looked at or exported which personal data, or changed whose password, and when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    SEARCH = "search", _("Searched")
    IMPORT = "import", _("Imported")
    # An account's password set by its owner or reset by a higher officer (never the password).
    PASSWORD = "password", _("Changed a password")


class ChainHead(models.Model):
    """The end of a hash chain kept in one table: how many entries, and the last one's hash.

    Writers lock this row to append, so the chain stays a line (ADR 0024).
    """

    name = models.CharField(max_length=40, primary_key=True)
    count = models.PositiveBigIntegerField(default=0)
    head = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name} #{self.count}"


ACCESS_LOG = "access_log"


class AccessLogEntry(models.Model):
    """An append-only record of one access to personal data, chained by hash.

    Written only by `access_log_record`; the database refuses UPDATE on this table.
    """

    # 1, 2, 3 … across the whole log.
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    action = models.CharField(max_length=16, choices=AccessAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    # What was asked for (filters, row count), never the personal data itself.
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}"

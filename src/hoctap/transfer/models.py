"""An import started from the web page: the file, its check, and what became of it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hoctap.assessments.models import Period


class JobStatus(models.TextChoices):
    HAS_ERRORS = "has_errors", _("Has errors")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


def import_path(instance: "ImportJob", filename: str) -> str:
    """Keep uploads under generated names; the uploader's file name is never a path."""
    return f"imports/{instance.id}"


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    target_state = models.CharField(max_length=16)
    file = models.FileField(upload_to=import_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=JobStatus.choices)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.HAS_ERRORS, JobStatus.DONE, JobStatus.FAILED)

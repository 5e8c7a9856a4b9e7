"""Imports and large exports started from the web page: their files and what became of them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hoctap.assessments.models import Period


class JobStatus(models.TextChoices):
    CHECKING = "checking", _("Checking the file")
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
    # How many rows the running check or import has checked so far (its progress): written
    # outside the import's transaction, so the polled page sees it while the job runs.
    rows_checked = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=JobStatus.choices)
    # How the importing officer confirmed the file's people consented; blank until confirmed.
    consent_method = models.CharField(max_length=16, blank=True)
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

    @property
    def writing(self) -> bool:
        """A running import that has checked every row and is writing them."""
        return self.status == JobStatus.RUNNING and 0 < self.rows <= self.rows_checked


class ExportKind(models.TextChoices):
    CITIZEN = "citizen", _("People")
    ASSESSMENT = "assessment", _("Assessments")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"


class ExportStatus(models.TextChoices):
    """The states of JobStatus that an export passes through (an export is never checked)."""

    QUEUED = JobStatus.QUEUED.value, _("Waiting to run")
    RUNNING = JobStatus.RUNNING.value, _("Writing the file")
    DONE = JobStatus.DONE.value, _("Ready to download")
    FAILED = JobStatus.FAILED.value, _("Failed")


def export_path(instance: "ExportJob", filename: str) -> str:
    """Keep export files under generated names, one per job."""
    return f"exports/{instance.id}"


class ExportJob(models.Model):
    """A large export written in the background, downloaded later by the one who asked."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ExportKind.choices)
    fmt = models.CharField(max_length=8, choices=ExportFormat.choices)
    # What was asked for (search text, period code, unit code), never what may be seen:
    # the task derives the scope from the user when it runs.
    parameters = models.JSONField(default=dict, blank=True)
    # The name the download is given, as a direct export on the day it was asked for.
    filename = models.CharField(max_length=120)
    status = models.CharField(max_length=16, choices=ExportStatus.choices)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}.{self.fmt} · {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def percent(self) -> int:
        """Return how much of the file is written, 0 to 100."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_written * 100 // self.rows_total)

"""Checking an uploaded file, then importing it now or in the background."""

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Period, State
from hoctap.assessments.workflow import TRANSITIONS, Action
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import Forbidden
from hoctap.people.models import ConsentMethod
from hoctap.transfer.importer import ImportRefused, ImportSummary, import_assessments
from hoctap.transfer.models import ImportJob, JobStatus
from hoctap.transfer.reader import FileRefused, TableStream, table_stream

_DECIDERS = TRANSITIONS[(State.BRANCH_REVIEWED, Action.DECIDE)].roles
# An upload not imported within this long (never confirmed, or never run) is deleted.
UPLOAD_KEPT_FOR = timedelta(days=7)
_UNFINISHED = (JobStatus.CHECKING, JobStatus.CHECKED, JobStatus.QUEUED, JobStatus.RUNNING)


def _summary(summary: ImportSummary) -> dict[str, Any]:
    data = asdict(summary)
    data["by_state"] = dict(summary.by_state)
    return data


def _run(job: ImportJob, *, dry_run: bool) -> None:
    """Check or import the job's file, recording the errors or the summary on the job."""
    user: User = job.user
    table: TableStream | None = None
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        table = table_stream(data, name=job.original_name)
        summary = import_assessments(
            table=table,
            period=job.period,
            scope=scope_for(user),
            state=State(job.target_state),
            actor=user,
            dry_run=dry_run,
            progress=lambda rows: _progress(job, rows),
            consent=ConsentMethod(job.consent_method) if job.consent_method else None,
        )
    except FileRefused as refused:
        job.status, job.errors = JobStatus.HAS_ERRORS, [refused.message]
    except ImportRefused as refused:
        job.status, job.errors = JobStatus.HAS_ERRORS, refused.messages
    except ValidationError as error:
        job.status, job.errors = JobStatus.HAS_ERRORS, error.messages
    else:
        job.status = JobStatus.CHECKED if dry_run else JobStatus.DONE
        job.errors, job.summary = [], _summary(summary)
    finally:
        # The rows read, with or without errors (the check reads them all).
        job.rows = table.count if table else 0


def _progress(job: ImportJob, rows: int) -> None:
    """Record how many rows the job has checked, for the page that polls it."""
    job.rows_checked = rows
    # Its own statement, outside the import's transaction; a job not yet saved has no row.
    ImportJob.objects.filter(pk=job.pk).update(rows_checked=rows)


def job_check(*, user: User, period: Period, upload: UploadedFile, target_state: str) -> ImportJob:
    """Store the upload and check it completely (a large one in the background).

    Nothing is imported yet: the check is a dry run of the whole import.
    """
    if target_state == State.DECIDED and not scope_for(user).roles & _DECIDERS:
        raise Forbidden(_("Your role may not import decided results."))
    job = ImportJob(
        user=user,
        period=period,
        target_state=target_state,
        original_name=(upload.name or "")[-200:],
        status=JobStatus.CHECKING,
    )
    content = upload.read()
    job.file.save("upload", ContentFile(content), save=False)
    if len(content) > settings.HOCTAP_IMPORT_BACKGROUND_CHECK_BYTES:
        job.save()
        transaction.on_commit(lambda: check_job_task.enqueue(str(job.pk)))
        return job
    _check_now(job)
    return job


def _check_now(job: ImportJob) -> None:
    _run(job, dry_run=True)
    if job.status == JobStatus.HAS_ERRORS:
        _discard_file(job)
    job.save()


def job_confirm(*, user: User, job: ImportJob, consent: ConsentMethod | None) -> ImportJob:
    """Import a checked file: at once when small, else as a background task.

    `consent` is how the officer confirms the file's people consented; without it, nothing.
    """
    if consent is None:
        raise Forbidden(
            _("Confirm that you hold the consent of the people in the file before importing.")
        )
    # Claim the job atomically: two confirmations sent at once start it only once.
    claimed = ImportJob.objects.filter(pk=job.pk, user=user, status=JobStatus.CHECKED).update(
        status=JobStatus.RUNNING, consent_method=consent
    )
    if not claimed:
        raise Forbidden(_("This import cannot be started."))
    job.status, job.consent_method = JobStatus.RUNNING, consent
    access_log_record(
        user=user,
        action=AccessAction.IMPORT,
        object_type="import",
        object_id=job.pk,
        detail={"rows": job.rows, "period": job.period.code},
    )
    if job.rows > settings.HOCTAP_IMPORT_BACKGROUND_ROWS:
        job.status = JobStatus.QUEUED
        job.save(update_fields=["status"])
        transaction.on_commit(lambda: import_job_task.enqueue(str(job.pk)))
        return job
    _execute(job)
    return job


def _execute(job: ImportJob) -> None:
    job.status, job.rows_checked = JobStatus.RUNNING, 0
    job.save(update_fields=["status", "rows_checked"])
    _run(job, dry_run=False)
    job.finished_at = timezone.now()
    _discard_file(job)
    job.save()


def _discard_file(job: ImportJob) -> None:
    """The upload holds personal data: keep it no longer than the import needs it."""
    if job.file:
        job.file.delete(save=False)


@task()
def check_job_task(job_id: str) -> str:
    """Check a large upload in the background; the page polls until it is checked."""
    job = ImportJob.objects.select_related("user", "period").get(pk=job_id)
    if job.status == JobStatus.CHECKING:
        try:
            _check_now(job)
        except Exception:
            _fail(job, _("The file could not be checked; nothing was written."))
            raise
    return job.status


@task()
def import_job_task(job_id: str) -> str:
    """Run a confirmed import in the background."""
    job = ImportJob.objects.select_related("user", "period").get(pk=job_id)
    if job.status == JobStatus.QUEUED:
        try:
            _execute(job)
        except Exception:
            _fail(job, _("The import failed; nothing was written."))
            raise
    return job.status


def _fail(job: ImportJob, message: str) -> None:
    """End a job that crashed, saying why; its upload is not kept (personal data)."""
    job.status, job.errors, job.finished_at = JobStatus.FAILED, [message], timezone.now()
    _discard_file(job)
    job.save()


def import_uploads_purge(*, now: datetime | None = None) -> int:
    """Delete the uploads of imports left unfinished for UPLOAD_KEPT_FOR; return how many.

    A checked file nobody confirmed, or a job no worker ever ran, would otherwise keep the
    personal data it holds for good. Each job is claimed first, so that a confirmation
    arriving at the same moment either runs the import or finds the job ended, not both.
    """
    now = now or timezone.now()
    purged = 0
    stale = ImportJob.objects.filter(
        created_at__lt=now - UPLOAD_KEPT_FOR, status__in=_UNFINISHED
    ).exclude(file="")
    for job in stale:
        claimed = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=JobStatus.FAILED,
            errors=[_("The file was not imported within 7 days and has been deleted.")],
            finished_at=now,
            file="",
        )
        if claimed:
            _discard_file(job)  # the loaded job still names the stored file
            purged += 1
    return purged
